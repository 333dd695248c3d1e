// The training worker: sim-wasm runs here (its pool waits with Atomics.wait, which a page's main
// thread may not), with helper workers of its own when the page is cross-origin isolated.
import {
  decodeCheckpoint,
  datasetId,
  encodeCheckpoint,
  HALF_PI,
  hiddenLayers,
  isProjective,
  neuronLayerParams,
  PAPER_NETWORK,
  serializeWeights,
  SgdTrainer,
  validateNetwork,
  validateTraining,
  type Checkpoint,
  type Dataset,
  type LayerWeights,
  type NetworkSpec,
  type ProgressEvent,
  type TrainSpec,
} from "@natural-quantization/core";
import { idxDatasetFromArrays, isGzip, mnistSubsetFromDigits, parseIdx, type Digits, type IdxArray } from "@natural-quantization/datasets/browser";
import { createBrowserBackend, type WasmBackend } from "@natural-quantization/sim-wasm/browser";
import kernelsUrl from "@natural-quantization/sim-wasm/kernels.wasm?url";
import { decodeDigits } from "./digits.js";
import { inspectImage } from "./inspect.js";
import { CONTROL_PAUSE, CONTROL_STOP, type FromWorker, type IdxFile, type RunId, type RunSettings, type ToWorker } from "./protocol.js";

/** A finished (or stopped) run: what weights download, inspection and comparison need. */
interface RunState {
  readonly network: NetworkSpec;
  readonly training: TrainSpec;
  readonly dataset: Dataset;
  readonly checkpoint: Checkpoint;
}

class Stopped extends Error {}

const post = (message: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(message, transfer);

let backend: WasmBackend | null = null;
let control: Int32Array | null = null;
let digits: Digits | null = null;
let idx: { name: string; arrays: Record<"trainImages" | "trainLabels" | "testImages" | "testLabels", IdxArray>; files: Record<string, string> } | null = null;
const runs = new Map<RunId, RunState>();
let paused = false;
let stopped = false;
let wake: Array<() => void> = [];
let busy: Promise<void> = Promise.resolve();

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  // Control messages act at once; the rest run one after another.
  if (m.kind === "pause" || m.kind === "resume" || m.kind === "stop") {
    if (m.kind === "stop") stopped = true;
    paused = m.kind === "pause";
    if (!paused) for (const w of wake.splice(0)) w();
    post({ kind: "paused", paused });
    return;
  }
  busy = busy.then(() => handle(m)).catch((err: unknown) => post({ kind: "error", message: err instanceof Error ? err.message : String(err) }));
};

async function handle(m: ToWorker): Promise<void> {
  switch (m.kind) {
    case "init": {
      control = m.control ? new Int32Array(m.control) : null;
      backend = await createBrowserBackend({ kernelsUrl });
      post({ kind: "ready", threads: backend.capabilities.threads ?? 1, isolated: self.crossOriginIsolated });
      digits = decodeDigits(await fetchWithProgress(m.digitsUrl));
      const n = digits.counts.reduce((s, c) => s + c, 0);
      post({ kind: "data", name: "mnist-subset (bundled)", images: n, inputSize: 784, classes: digits.counts.length });
      return;
    }
    case "bundled":
      idx = null;
      if (digits) post({ kind: "data", name: "mnist-subset (bundled)", images: digits.counts.reduce((s, c) => s + c, 0), inputSize: 784, classes: 10 });
      return;
    case "idx":
      await loadIdx(m.files);
      return;
    case "train":
      await train(m.settings, m.compare);
      return;
    case "inspect":
      await inspect(m.run, m.image, m.layer, m.shots, m.seed);
      return;
    case "exportWeights": {
      const r = runs.get(m.run);
      if (!r) throw new Error(`no weights of the ${m.run} run yet; train or load weights first`);
      // The CLI's weights.json: a checkpoint without optimizer state, as writeJsonAtomic formats it.
      const text = `${JSON.stringify(encodeCheckpoint({ ...r.checkpoint, velocities: null }), null, 2)}\n`;
      post({ kind: "weights", run: m.run, text });
      return;
    }
    case "loadWeights":
      await loadWeights(m.name, m.text, m.settings);
      return;
    case "bench":
      await bench(m.trainSize);
      return;
  }
}

function need<T>(value: T | null, what: string): T {
  if (value === null) throw new Error(`${what} is not ready yet`);
  return value;
}

async function fetchWithProgress(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`cannot load the digits from ${url} (HTTP ${response.status})`);
  const total = Number(response.headers.get("content-length") ?? 0);
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    loaded += value.length;
    post({ kind: "dataProgress", loaded, total });
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return bytes;
}

const IDX_ROLES = [
  ["trainImages", "train-images"],
  ["trainLabels", "train-labels"],
  ["testImages", "t10k-images"],
  ["testLabels", "t10k-labels"],
] as const;

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Four dropped MNIST-format files (raw or .gz), recognised by their standard names. */
async function loadIdx(files: readonly IdxFile[]): Promise<void> {
  const arrays: Partial<Record<(typeof IDX_ROLES)[number][0], IdxArray>> = {};
  const names: Record<string, string> = {};
  for (const [role, stem] of IDX_ROLES) {
    const f = files.find((x) => x.name.includes(stem));
    if (!f) throw new Error(`dropped files: none is named like ${stem}-idx*-ubyte[.gz]; drop the four MNIST-format files (train-images, train-labels, t10k-images, t10k-labels)`);
    arrays[role] = parseIdx(isGzip(f.bytes) ? await gunzip(f.bytes) : f.bytes, f.name);
    names[role] = f.name;
  }
  const all = arrays as Record<(typeof IDX_ROLES)[number][0], IdxArray>;
  // Check the files fit together now (sizes are chosen per run).
  const probe = idxDatasetFromArrays({ ...all, files: names as never, trainSize: 1, testSize: 1 });
  idx = { name: "idx (dropped files)", arrays: all, files: names };
  post({ kind: "data", name: `${idx.name}: ${all.trainImages.dims[0]} + ${all.testImages.dims[0]} images`, images: all.trainImages.dims[0] + all.testImages.dims[0], inputSize: probe.inputSize, classes: probe.numClasses });
}

function dataset(s: RunSettings): Dataset {
  if (idx) return idxDatasetFromArrays({ ...idx.arrays, files: idx.files as never, trainSize: s.trainSize, testSize: s.testSize, name: "idx" });
  return mnistSubsetFromDigits(need(digits, "the bundled digits"), { trainSize: s.trainSize, testSize: s.testSize });
}

/** The network and training spec of `nq train` with the same options (fitted to the data like the CLI's fitNetwork). */
function specs(s: RunSettings, data: Dataset, classical: boolean): { network: NetworkSpec; training: TrainSpec } {
  const neuron = classical ? { a: 0, g: HALF_PI, activation: s.activation } : { a: s.a, g: s.g, activation: s.activation };
  const network = validateNetwork({ ...PAPER_NETWORK, width: s.width, depth: s.depth, bias: false, neuron, inputSize: data.inputSize, outputSize: data.numClasses });
  const training = validateTraining({ epochs: s.epochs, batch: s.batch, lr: s.lr, momentum: s.momentum, shots: s.shots, seed: s.seed });
  return { network, training };
}

/** Between batches: the shared control word (cross-origin isolated pages) pauses and stops at once. */
function checkControl(): void {
  if (!control) return;
  if (Atomics.load(control, 0) === CONTROL_PAUSE) Atomics.wait(control, 0, CONTROL_PAUSE);
  if (Atomics.load(control, 0) === CONTROL_STOP) throw new Stopped("stopped");
}

/** Between epochs: messages get through; a pause holds here; a stop ends the run. */
async function epochGate(): Promise<void> {
  await new Promise((r) => setTimeout(r, 0));
  while (paused && !stopped) await new Promise<void>((r) => wake.push(r));
  if (stopped) throw new Stopped("stopped");
}

async function hashWeights(weights: readonly LayerWeights[]): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(serializeWeights(weights)));
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function train(s: RunSettings, compare: boolean): Promise<void> {
  const be = need(backend, "the backend");
  paused = false;
  stopped = false;
  const data = dataset(s);
  const ids: RunId[] = compare ? ["chosen", "classical"] : ["chosen"];
  for (const id of ids) runs.delete(id);
  // The runs interleave epoch by epoch (each awaits onEpochEnd); every draw is keyed by seed,
  // pass and layer, so the interleaving changes no number.
  const results = await Promise.allSettled(ids.map((id) => trainOne(be, id, s, data)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected" && !(r.reason instanceof Stopped));
  if (failed) throw failed.reason;
  post({ kind: "finished", stopped: results.some((r) => r.status === "rejected") });
}

async function trainOne(be: WasmBackend, id: RunId, s: RunSettings, data: Dataset): Promise<void> {
  const { network, training } = specs(s, data, id === "classical");
  const progress = {
    report(e: ProgressEvent) {
      if (e.kind === "start") post({ kind: "start", run: id, epochs: e.epochs });
      else if (e.kind === "batch") {
        if (e.batch % 4 === 0 || e.batch === e.batches) post({ kind: "batch", run: id, epoch: e.epoch, batch: e.batch, batches: e.batches });
        checkControl();
      } else if (e.kind === "epoch") post({ kind: "epoch", run: id, metrics: e.metrics });
    },
  };
  const trainer = new SgdTrainer(be, progress);
  const onEpochEnd = async (ck: Checkpoint) => {
    runs.set(id, { network, training, dataset: data, checkpoint: ck });
    await epochGate();
  };
  const result = await trainer.train({ network, training, dataset: data, onEpochEnd });
  const checkpoint: Checkpoint = { network, training, dataset: datasetId(data), epoch: result.history.length, weights: result.weights, velocities: null, history: result.history };
  runs.set(id, { network, training, dataset: data, checkpoint });
  await evaluateRun(be, id, trainer);
}

async function evaluateRun(be: WasmBackend, id: RunId, trainer = new SgdTrainer(be)): Promise<void> {
  const r = need(runs.get(id) ?? null, `the ${id} run`);
  const ev = await trainer.evaluate({ network: r.network, weights: r.checkpoint.weights, split: r.dataset.test, shots: r.training.shots, seed: r.training.seed });
  post({
    kind: "evaluated",
    run: id,
    result: { oneShot: ev.oneShot.error, oneShotStderr: ev.oneShot.stderr, kShot: ev.kShot.error, kShotStderr: ev.kShot.stderr, shots: ev.shots },
    weightsHash: await hashWeights(r.checkpoint.weights),
    epochs: r.checkpoint.epoch,
  });
}

/** Weights from `nq train` (weights.json or checkpoint.json): evaluated with the page's shots, seed and test size. */
async function loadWeights(name: string, text: string, s: RunSettings): Promise<void> {
  const be = need(backend, "the backend");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name} is not JSON (${(e as Error).message}); load the weights.json that nq train --out wrote`);
  }
  const ck = decodeCheckpoint(raw, name);
  const data = dataset({ ...s, trainSize: ck.dataset.trainSize });
  if (data.inputSize !== ck.network.inputSize) throw new Error(`${name} is for ${ck.network.inputSize} inputs but the data has ${data.inputSize}; load matching data`);
  runs.set("loaded", { network: ck.network, training: { ...ck.training, shots: s.shots, seed: s.seed }, dataset: data, checkpoint: ck });
  await evaluateRun(be, "loaded");
}

async function inspect(id: RunId, image: number, layer: number, shots: number, seed: number): Promise<void> {
  const be = need(backend, "the backend");
  const r = runs.get(id);
  if (!r) throw new Error(`no ${id} run to look inside yet; train or load weights first`);
  const test = r.dataset.test;
  if (!(Number.isInteger(image) && image >= 0 && image < test.n)) throw new Error(`image ${image} is outside the test set 0..${test.n - 1}`);
  const H = hiddenLayers(r.network);
  const l = Math.min(Math.max(0, layer), H - 1);
  const x = test.x.slice(image * r.network.inputSize, (image + 1) * r.network.inputSize);
  const ins = await inspectImage(be, r.network, r.checkpoint.weights, x, shots, seed);
  post({
    kind: "inspection",
    run: id,
    image: x,
    label: test.y[image],
    layer: l,
    width: r.network.width,
    angle: ins.layers.map((shot) => shot[l].angle),
    outcome: ins.layers.map((shot) => shot[l].outcome),
    carried: ins.layers.map((shot) => shot[l].carried),
    votes: ins.votes,
    projective: isProjective(neuronLayerParams(r.network.neuron, l, H).g),
  });
}

/** One epoch of `nq bench`'s network and settings (warm-up, then the median of 3), timed as the bench times it. */
async function bench(trainSize: number): Promise<void> {
  const be = need(backend, "the backend");
  const data = mnistSubsetFromDigits(need(digits, "the bundled digits"), { trainSize, testSize: 5000 });
  const network: NetworkSpec = { ...PAPER_NETWORK, neuron: { a: 0.5, g: HALF_PI, activation: "tanh" } };
  const training: TrainSpec = { epochs: 1, batch: 64, lr: 0.01, momentum: 0.9, shots: 15, seed: 1 };
  const trainer = new SgdTrainer(be);
  const times: number[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await trainer.train({ network, training: { ...training, seed: 1 + i }, dataset: data, evaluateEachEpoch: false });
    if (i > 0) times.push(r.history[0].seconds);
  }
  times.sort((a, b) => a - b);
  post({ kind: "bench", epochSeconds: times[1], threads: be.capabilities.threads ?? 1, trainSize });
}
