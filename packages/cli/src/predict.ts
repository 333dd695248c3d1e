import { DataError, Tokens, type Checkpoint, type Images, type Predictions, type QubitLayer } from "@natural-quantization/core";
import { loadDataset, readIdxFile } from "@natural-quantization/datasets";
import { closeQubitLayer, composeMachine, disposeMachine, type MachineConfig } from "./experiment.js";
import { closeOnInterrupt } from "./interrupt.js";
import type { ProgressReporter } from "@natural-quantization/core";

/** Images to classify, with their labels when known. */
export interface LabelledImages extends Images {
  readonly labels: Int32Array | null;
  /** Where they came from, for messages. */
  readonly source: string;
}

/**
 * An IDX images file (ubyte [n, rows, cols], raw or .gz) scaled by 1/255 as the datasets are,
 * and optionally its IDX labels file.
 */
export function readImagesFile(path: string, inputSize: number, classes: number, labelsPath?: string): LabelledImages {
  const img = readIdxFile(path, "--images file");
  if (img.type !== "ubyte" || img.dims.length !== 3) {
    throw new DataError(`${path}: expected images as ubyte [n, rows, cols], got ${img.type} [${img.dims.join(", ")}]; pass an idx3-ubyte images file`);
  }
  const [n, rows, cols] = img.dims;
  if (rows * cols !== inputSize) {
    throw new DataError(`${path} has ${rows}x${cols} = ${rows * cols} pixels per image; the network takes ${inputSize} inputs`);
  }
  const px = img.data as Uint8Array;
  const x = new Float32Array(px.length);
  for (let i = 0; i < px.length; i++) x[i] = px[i] / 255;
  let labels: Int32Array | null = null;
  if (labelsPath) {
    const lab = readIdxFile(labelsPath, "--labels file");
    if (lab.type !== "ubyte" || lab.dims.length !== 1 || lab.dims[0] !== n) {
      throw new DataError(`${labelsPath}: expected ${n} labels as ubyte [${n}], got ${lab.type} [${lab.dims.join(", ")}]; pass the labels file of these images`);
    }
    labels = Int32Array.from(lab.data as Uint8Array);
    checkLabels(labels, classes, labelsPath);
  }
  return { n, x, labels, source: path };
}

/** Refuses a label the network cannot output: it would count as an error that is none, or hide one. */
export function checkLabels(labels: Int32Array, classes: number, source: string): void {
  const i = labels.findIndex((l) => l < 0 || l >= classes);
  if (i >= 0) {
    throw new DataError(`${source}: label ${labels[i]} of image ${i} is not a class of this network (0..${classes - 1}); pass the labels of a ${classes}-class dataset`);
  }
}

/** The test split of a dataset; the checkpoint's training size keeps a split that depends on it the same. */
export function datasetImages(name: string, testSize: number | undefined, ck: Checkpoint): LabelledImages {
  const trainSize = name === ck.dataset.name ? ck.dataset.trainSize : undefined;
  const d = loadDataset(name, { trainSize, testSize: testSize ?? (name === ck.dataset.name ? ck.dataset.testSize : undefined) });
  checkLabels(d.test.y, ck.network.outputSize, `${d.name} test split`);
  return { n: d.test.n, x: d.test.x, labels: d.test.y, source: `${d.name} test split` };
}

/** The k-shot votes of every image, through the Trainer's forward path on the chosen backend. */
export async function predictImages(
  ck: Checkpoint,
  images: Images,
  options: MachineConfig & { shots: number; seed: number; progress?: ProgressReporter; beforeRun?: (layer: QubitLayer) => Promise<void> },
): Promise<Predictions> {
  const c = await composeMachine(options, options.progress);
  // A device's session is closed at the end and on Ctrl-C, as nq eval does.
  const closeDevice = () => closeQubitLayer(c.resolve(Tokens.QubitLayer));
  const stopOnInterrupt = options.hardware ? closeOnInterrupt(closeDevice, options.hardware.jobs?.dir) : () => {};
  try {
    await options.beforeRun?.(c.resolve(Tokens.QubitLayer));
    return await c.resolve(Tokens.Trainer).predict({ network: ck.network, weights: ck.weights, images, shots: options.shots, seed: options.seed });
  } finally {
    stopOnInterrupt();
    await closeDevice();
    disposeMachine(c);
  }
}

/** What nq predict writes, recognised by its header line. */
export const PREDICTIONS_CSV = {
  name: "a predictions CSV written by nq predict",
  recognise: (head: Uint8Array): boolean => /^index,(label,)?predicted,votes_0/.test(new TextDecoder().decode(head)),
};

/** CSV: index, label (when known), predicted class (majority of k shots, ties to the lowest), votes of each class. */
export function predictionsCsv(p: Predictions, labels: Int32Array | null): string {
  const head = ["index", ...(labels ? ["label"] : []), "predicted", ...Array.from({ length: p.classes }, (_, c) => `votes_${c}`)];
  const lines = [head.join(",")];
  for (let i = 0; i < p.n; i++) {
    const votes = Array.from(p.votes.subarray(i * p.classes, (i + 1) * p.classes));
    lines.push([i, ...(labels ? [labels[i]] : []), p.predicted[i], ...votes].join(","));
  }
  return `${lines.join("\n")}\n`;
}
