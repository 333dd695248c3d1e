import { readTensor, type DenseEngine, type LossResult, type Machine, type QubitRegister, type ShotSamplingCapabilities, type Tensor } from "./backend.js";
import type { Dataset, Split } from "./dataset.js";
import { CapabilityError, ConfigError, DataError } from "./errors.js";
import { errorRate, majority, type EpochMetrics, type ErrorRate } from "./metrics.js";
import { qubitNeuron, type NeuronLayerParams, type NeuronPlugin } from "./neuron.js";
import { RandomStream } from "./rng.js";
import { hiddenLayers, validateNetwork, validateTraining, type NetworkSpec, type TrainSpec } from "./spec.js";
import { checkFinite, initWeights, type LayerWeights, type Weights } from "./weights.js";
import { assertResumableCheckpoint, type Checkpoint } from "./checkpoint.js";


export type ProgressEvent =
  | { readonly kind: "start"; readonly epochs: number; readonly startEpoch: number; readonly batchesPerEpoch: number }
  | { readonly kind: "batch"; readonly epoch: number; readonly batch: number; readonly batches: number }
  | { readonly kind: "epoch"; readonly metrics: EpochMetrics; readonly epochs: number; readonly etaSeconds: number }
  /**
   * Part of an evaluation is done: `passes` of `total` forward passes of one image (images x shots).
   * `epoch` is the 0-based epoch whose test error is measured during training, or null for an
   * evaluation of its own (evaluate, predict).
   */
  | { readonly kind: "eval"; readonly passes: number; readonly total: number; readonly shots: number; readonly epoch: number | null }
  /**
   * A device job of a shot-sampling qubit layer changed state: job `job` of `jobs` of hidden
   * layer `layer` (0-based) has the provider's id `id`.
   */
  | { readonly kind: "job"; readonly layer: number; readonly job: number; readonly jobs: number; readonly id: string; readonly state: JobState };

/** The states of a device job, as reported to a ProgressReporter. */
export type JobState = "queued" | "running" | "done" | "failed" | "cancelled";

export interface ProgressReporter {
  report(event: ProgressEvent): void;
}

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
}

export const systemClock: Clock = { now: () => performance.now() };
export const silentProgress: ProgressReporter = { report: () => {} };

export interface TrainOptions {
  readonly network: NetworkSpec;
  readonly training: TrainSpec;
  readonly dataset: Dataset;
  /** Start from these weights instead of the seeded initialisation. */
  readonly initialWeights?: Weights;
  /**
   * Called with the run's state after every epoch (before the "epoch" progress event); the caller
   * persists it (the CLI writes it atomically as checkpoint.json) and a run can resume from it.
   * The Trainer itself writes no files.
   */
  readonly onEpochEnd?: (state: Checkpoint) => void | Promise<void>;
  /** Continue a run from its checkpoint (same network, training spec and dataset; more epochs allowed). */
  readonly resume?: Checkpoint;
  /** One-shot test error after every epoch (default true). */
  readonly evaluateEachEpoch?: boolean;
}

export interface TrainResult {
  readonly weights: LayerWeights[];
  readonly history: EpochMetrics[];
  readonly trainSeconds: number;
}

export interface EvalOptions {
  readonly network: NetworkSpec;
  readonly weights: Weights;
  readonly split: Split;
  readonly shots: number;
  readonly seed: number;
}

export interface EvalResult {
  /** Error of one forward pass per image. */
  readonly oneShot: ErrorRate;
  /** Error of the majority vote of `shots` forward passes (ties to the lowest class). */
  readonly kShot: ErrorRate;
  readonly shots: number;
  readonly seconds: number;
}

/** Images to classify: x is [n, inputSize] row-major with values in [0, 1]; no labels needed. */
export interface Images {
  readonly n: number;
  readonly x: Float32Array;
}

export interface PredictOptions {
  readonly network: NetworkSpec;
  readonly weights: Weights;
  readonly images: Images;
  readonly shots: number;
  readonly seed: number;
}

/** Per-image votes of k shots; `evaluate` scores exactly these against the labels. */
export interface Predictions {
  readonly n: number;
  readonly classes: number;
  readonly shots: number;
  /** votes[i * classes + c]: how many of image i's shots chose class c. */
  readonly votes: Int32Array;
  /** The class of each image's first shot (the one-shot prediction). */
  readonly firstShot: Int32Array;
  /** The majority vote of the shots, ties to the lowest class. */
  readonly predicted: Int32Array;
  readonly seconds: number;
}

export interface Trainer {
  train(options: TrainOptions): Promise<TrainResult>;
  /** Asynchronous end to end: on a device every hidden layer is a queued job. */
  evaluate(options: EvalOptions): Promise<EvalResult>;
  /** The votes behind `evaluate`: same seed, same shots, same votes. */
  predict(options: PredictOptions): Promise<Predictions>;
}

/** Forward-pass ids of evaluation shots start here; training passes stay below. */
export const EVAL_PASS_BASE = 0x80000000;
const EVAL_CHUNK = 1000;

/** Backend buffers of one network at one batch size. */
class Buffers {
  readonly w: Tensor[];
  readonly b: (Tensor | null)[];
  readonly x: Tensor;
  readonly z: Tensor[];
  readonly d: Tensor[];
  readonly logits: Tensor;
  readonly q: QubitRegister;
  private grads?: { dLogits: Tensor; dD: Tensor[]; dW: Tensor[]; dB: (Tensor | null)[]; vW: Tensor[]; vB: (Tensor | null)[] };

  private readonly backend: DenseEngine;

  constructor(
    private readonly machine: Machine,
    readonly spec: NetworkSpec,
    readonly rows: number,
  ) {
    const backend = machine.dense;
    this.backend = backend;
    const H = hiddenLayers(spec);
    this.w = [];
    this.b = [];
    for (let l = 0; l <= H; l++) {
      const fanIn = l === 0 ? spec.inputSize : spec.width;
      const out = l === H ? spec.outputSize : spec.width;
      this.w.push(backend.tensor(out, fanIn));
      this.b.push(spec.bias ? backend.tensor(1, out) : null);
    }
    this.x = backend.tensor(rows, spec.inputSize);
    this.z = Array.from({ length: H }, () => backend.tensor(rows, spec.width));
    this.d = Array.from({ length: H }, () => backend.tensor(rows, spec.width));
    this.logits = backend.tensor(rows, spec.outputSize);
    this.q = machine.qubits.qubitRegister(rows, spec.width);
  }

  gradients() {
    if (!this.grads) {
      const be = this.backend;
      this.grads = {
        dLogits: be.tensor(this.rows, this.spec.outputSize),
        dD: this.z.map(() => be.tensor(this.rows, this.spec.width)),
        dW: this.w.map((w) => be.tensor(w.rows, w.cols)),
        dB: this.b.map((b) => (b ? be.tensor(1, b.cols) : null)),
        vW: this.w.map((w) => be.tensor(w.rows, w.cols)),
        vB: this.b.map((b) => (b ? be.tensor(1, b.cols) : null)),
      };
    }
    return this.grads;
  }

  setWeights(weights: Weights): void {
    weights.forEach((layer, l) => {
      this.backend.write(this.w[l], layer.w);
      if (layer.b && this.b[l]) this.backend.write(this.b[l]!, layer.b);
    });
  }

  getWeights(): Promise<LayerWeights[]> {
    return readLayers(this.backend, this.w, this.b);
  }

  setVelocities(v: Weights): void {
    const g = this.gradients();
    v.forEach((layer, l) => {
      this.backend.write(g.vW[l], layer.w);
      if (layer.b && g.vB[l]) this.backend.write(g.vB[l]!, layer.b);
    });
  }

  /** Frees every buffer (where the backend can), so repeated runs do not pile up backend memory. */
  release(): void {
    this.machine.qubits.release?.(this.q);
    const be = this.backend;
    if (!be.release) return;
    const all: Array<Tensor | null> = [...this.w, ...this.b, this.x, ...this.z, ...this.d, this.logits];
    if (this.grads) {
      const g = this.grads;
      all.push(g.dLogits, ...g.dD, ...g.dW, ...g.dB, ...g.vW, ...g.vB);
    }
    for (const t of all) if (t) be.release(t);
  }

  getVelocities(): Promise<LayerWeights[]> {
    const g = this.gradients();
    return readLayers(this.backend, g.vW, g.vB);
  }
}

/** Weight-shaped tensors read back as layers (synchronously where the engine can). */
async function readLayers(be: DenseEngine, w: Tensor[], b: (Tensor | null)[]): Promise<LayerWeights[]> {
  const out: LayerWeights[] = [];
  for (let l = 0; l < w.length; l++) {
    const bias = b[l];
    out.push({ out: w[l].rows, in: w[l].cols, w: await readTensor(be, w[l]), b: bias ? await readTensor(be, bias) : null });
  }
  return out;
}

/**
 * The backend-independent training loop of docs/model.md §5: SGD with momentum on
 * shuffled minibatches, cross-entropy, straight-through gradients, fresh outcomes on
 * every forward pass. Every random number comes from the run seed, so a resumed run
 * continues exactly as the uninterrupted one would.
 */
export class SgdTrainer implements Trainer {
  /**
   * Runs on a machine (a simulator backend is one) with a neuron model (default: the built-in
   * qubit neuron of the network's parameters).
   */
  constructor(
    private readonly machine: Machine,
    private readonly progress: ProgressReporter = silentProgress,
    private readonly clock: Clock = systemClock,
    private readonly neuron: NeuronPlugin = qubitNeuron,
  ) {}

  /** The model of every hidden layer: its parameters, the last one projective. */
  private layers(network: NetworkSpec): NeuronLayerParams[] {
    const model = this.neuron.create(network.neuron);
    const H = hiddenLayers(network);
    return Array.from({ length: H }, (_, l) => model.layer(l, H));
  }

  async train(options: TrainOptions): Promise<TrainResult> {
    const network = validateNetwork(options.network);
    const training = validateTraining(options.training);
    const { dataset } = options;
    const { dense: be, qubits } = this.machine;
    if (!be.capabilities.training) {
      throw new CapabilityError(`backend ${be.name} cannot train (capability "training" is false); train on a simulator that can (sim-cpu, sim-wasm) and evaluate the weights here`);
    }
    if (qubits.capabilities.sampling !== "exact") {
      throw new CapabilityError(`qubit layer ${qubits.name} samples by shots and cannot train (training needs exact sampling); train on a simulator and evaluate the weights here`);
    }
    checkDataset(dataset, network);
    const layers = this.layers(network);
    const model = layers[0].model;
    const buf = new Buffers(this.machine, network, training.batch);
    try {
      const g = buf.gradients();
      const H = hiddenLayers(network);
      const n = dataset.train.n;
      const batches = Math.ceil(n / training.batch);

      let startEpoch = 0;
      const history: EpochMetrics[] = [];
      if (options.resume) {
        const ck = options.resume;
        assertResumable(ck, network, training, dataset);
        buf.setWeights(ck.weights);
        if (ck.velocities) buf.setVelocities(ck.velocities);
        history.push(...ck.history);
        startEpoch = ck.epoch;
      } else {
        const w0 = options.initialWeights ?? initWeights(network, training.seed);
        checkFinite(w0, "initial weights");
        buf.setWeights(w0);
      }

      this.progress.report({ kind: "start", epochs: training.epochs, startEpoch, batchesPerEpoch: batches });
      const xBatch = new Float32Array(training.batch * network.inputSize);
      const yBatch = new Int32Array(training.batch);
      const started = this.clock.now();

      for (let epoch = startEpoch; epoch < training.epochs; epoch++) {
        const t0 = this.clock.now();
        const order = new RandomStream(training.seed, "shuffle", epoch).permutation(n);
        let lossSum = 0;
        let wrong = 0;
        for (let bi = 0; bi < batches; bi++) {
          const start = bi * training.batch;
          const rows = Math.min(training.batch, n - start);
          for (let r = 0; r < rows; r++) {
            const i = order[start + r];
            xBatch.set(dataset.train.x.subarray(i * network.inputSize, (i + 1) * network.inputSize), r * network.inputSize);
            yBatch[r] = dataset.train.y[i];
          }
          be.write(buf.x, xBatch.subarray(0, rows * network.inputSize));
          const pass = forward(this.machine, buf, layers, training.seed, epoch * batches + bi, 0, rows, false);
          if (pass) await pass;
          const lossResult = be.softmaxCrossEntropy(buf.logits, yBatch.subarray(0, rows), g.dLogits, rows);
          const { loss, predictions } = lossResult instanceof Promise ? await lossResult : lossResult;
          lossSum += loss;
          for (let r = 0; r < rows; r++) if (predictions[r] !== yBatch[r]) wrong++;
          // Backward: logits layer, then each hidden layer through the straight-through mask.
          be.linearBackward(g.dLogits, buf.d[H - 1], buf.w[H], g.dD[H - 1], g.dW[H], g.dB[H], rows);
          for (let l = H - 1; l >= 0; l--) {
            if (model.straightThroughGradient) be.straightThrough(buf.z[l], g.dD[l], g.dD[l], rows);
            else await surrogateGradient(be, layers[l], buf.z[l], g.dD[l], rows);
            be.linearBackward(g.dD[l], l === 0 ? buf.x : buf.d[l - 1], buf.w[l], l === 0 ? null : g.dD[l - 1], g.dW[l], g.dB[l], rows);
          }
          for (let l = 0; l <= H; l++) {
            be.sgdStep(buf.w[l], g.dW[l], g.vW[l], training.lr, training.momentum);
            if (buf.b[l]) be.sgdStep(buf.b[l]!, g.dB[l]!, g.vB[l]!, training.lr, training.momentum);
          }
          this.progress.report({ kind: "batch", epoch, batch: bi + 1, batches });
          await yieldToEventLoop(); // let signals (Ctrl-C) through within an epoch, not only after it
        }
        const loss = lossSum / n;
        if (!Number.isFinite(loss)) {
          throw new DataError(`training diverged at epoch ${epoch + 1} (loss ${loss}); lower lr or check the data for NaN`, { field: "lr", value: training.lr });
        }
        const testError1 = options.evaluateEachEpoch === false ? null : score(await this.votes(buf, layers, dataset.test, 1, 1, training.seed, epoch), dataset.test).oneShot.error;
        const seconds = (this.clock.now() - t0) / 1000;
        const metrics: EpochMetrics = { epoch: epoch + 1, loss, trainError: wrong / n, testError1, seconds };
        history.push(metrics);
        const done = epoch + 1 - startEpoch;
        const eta = ((this.clock.now() - started) / 1000 / done) * (training.epochs - epoch - 1);
        if (options.onEpochEnd) {
          await options.onEpochEnd({
            network, training, dataset: datasetId(dataset), epoch: epoch + 1,
            weights: await buf.getWeights(), velocities: await buf.getVelocities(), history: [...history],
          });
        }
        this.progress.report({ kind: "epoch", metrics, epochs: training.epochs, etaSeconds: eta });
        await yieldToEventLoop(); // let progress output and signals through
      }
      const weights = await buf.getWeights();
      checkFinite(weights, "trained weights");
      return { weights, history, trainSeconds: (this.clock.now() - started) / 1000 };
    } finally {
      buf.release();
    }
  }

  async evaluate(options: EvalOptions): Promise<EvalResult> {
    const { split, ...rest } = options;
    return score(await this.predict({ ...rest, images: split }), split);
  }

  async predict(options: PredictOptions): Promise<Predictions> {
    const network = validateNetwork(options.network);
    checkFinite(options.weights, "weights");
    const { images, shots } = options;
    const caps = this.machine.qubits.capabilities;
    // An exact layer runs the shots one after the other; a device takes all k shots of an image side
    // by side in one batch, so each hidden layer of every shot is one call (one job).
    const side = caps.sampling === "exact" ? 1 : shots;
    const perBatch = caps.sampling === "exact" ? Math.min(EVAL_CHUNK, Math.max(1, images.n)) : shotBatchImages(caps, network.width, shots, images.n);
    const buf = new Buffers(this.machine, network, perBatch * side);
    try {
      buf.setWeights(options.weights);
      return await this.votes(buf, this.layers(network), images, shots, side, options.seed, null);
    } finally {
      buf.release();
    }
  }

  /**
   * Votes of k shots. A batch holds buf.rows / side images, each repeated `side` times side by side;
   * k / side passes run one after the other. The first linear layer is deterministic, so later passes
   * over the same batch keep its z; every pass redraws every measurement. Reports progress after
   * every pass of every batch (`epoch`: see the "eval" progress event).
   */
  private async votes(buf: Buffers, layers: NeuronLayerParams[], split: Images, shots: number, side: number, seed: number, epoch: number | null): Promise<Predictions> {
    const be = this.machine.dense;
    const network = buf.spec;
    const t0 = this.clock.now();
    const votes = new Votes(split.n, network.outputSize);
    this.progress.report({ kind: "eval", passes: 0, total: split.n * shots, shots, epoch });
    const perBatch = buf.rows / side;
    const x = side === 1 ? null : new Float32Array(buf.rows * network.inputSize);
    for (let start = 0; start < split.n; start += perBatch) {
      const count = Math.min(perBatch, split.n - start);
      const rows = count * side;
      const images = split.x.subarray(start * network.inputSize, (start + count) * network.inputSize);
      if (x) {
        for (let r = 0; r < rows; r++) x.set(images.subarray(Math.floor(r / side) * network.inputSize, (Math.floor(r / side) + 1) * network.inputSize), r * network.inputSize);
        be.write(buf.x, x.subarray(0, rows * network.inputSize));
      } else be.write(buf.x, images);
      for (let p = 0; p < shots / side; p++) {
        const pass = forward(this.machine, buf, layers, seed, EVAL_PASS_BASE + p, start * side, rows, p > 0);
        if (pass) await pass;
        const result = be.argmax(buf.logits, rows);
        const pred = result instanceof Promise ? await result : result;
        for (let r = 0; r < rows; r++) votes.add(start + Math.floor(r / side), pred[r], p === 0 && r % side === 0);
        this.progress.report({ kind: "eval", passes: start * shots + (p + 1) * rows, total: split.n * shots, shots, epoch });
      }
    }
    return votes.predictions(shots, (this.clock.now() - t0) / 1000);
  }
}

/** Rows of a shot-sampling evaluation batch at most: bounds its buffers (rows x inputs floats). */
const MAX_SHOT_ROWS = 8192;

/**
 * Images per call of a shot-sampling evaluation: each image is repeated `shots` times side by side,
 * and a call carries at most `unitsPerCall` (row, neuron) units and MAX_SHOT_ROWS rows (at least one image).
 */
export function shotBatchImages(capabilities: ShotSamplingCapabilities, width: number, shots: number, images: number): number {
  const rowsPerCall = Math.max(1, Math.min(MAX_SHOT_ROWS, Math.floor(capabilities.unitsPerCall / width)));
  return Math.max(1, Math.min(images, Math.floor(rowsPerCall / shots)));
}

/** One turn of the event loop: setImmediate where it exists (Node), else a message to oneself (browsers). */
function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  if (immediate) return new Promise((r) => immediate(r));
  // Browsers clamp nested zero timeouts to 4 ms, which per batch would double an epoch; a message
  // to oneself is delivered on the next turn without that delay.
  const { port1, port2 } = new MessageChannel();
  return new Promise((r) => {
    port1.addEventListener("message", () => {
      port1.close();
      r();
    });
    port1.start();
    port2.postMessage(null);
  });
}

/** Per-image class votes of k shots, and the class of each image's first shot. */
class Votes {
  private readonly votes: Int32Array;
  private readonly first: Int32Array;

  constructor(
    private readonly n: number,
    private readonly classes: number,
  ) {
    this.votes = new Int32Array(n * classes);
    this.first = new Int32Array(n);
  }

  add(image: number, predicted: number, firstShot: boolean): void {
    this.votes[image * this.classes + predicted]++;
    if (firstShot) this.first[image] = predicted;
  }

  predictions(shots: number, seconds: number): Predictions {
    const { n, classes, votes } = this;
    return { n, classes, shots, votes, firstShot: this.first, predicted: majority(votes, n, classes), seconds };
  }
}

/** One-shot and k-shot error of predictions against the split's labels. */
function score(p: Predictions, split: Split): EvalResult {
  let wrong1 = 0;
  let wrongK = 0;
  for (let i = 0; i < p.n; i++) {
    if (p.firstShot[i] !== split.y[i]) wrong1++;
    if (p.predicted[i] !== split.y[i]) wrongK++;
  }
  return { oneShot: errorRate(wrong1, p.n), kShot: errorRate(wrongK, p.n), shots: p.shots, seconds: p.seconds };
}

/**
 * One forward pass of the rows in buf.x (hidden layers from `from` on); `reuseFirstLayer` keeps z of
 * layer 1 from the previous pass. Returns undefined when every qubit layer call was synchronous, else
 * a promise of the rest of the pass: callers await only then, so simulators keep a synchronous loop.
 */
function forward(m: Machine, buf: Buffers, layers: NeuronLayerParams[], seed: number, pass: number, rowOffset: number, rows: number, reuseFirstLayer: boolean, from = 0): Promise<void> | undefined {
  const H = layers.length;
  if (from === 0) m.qubits.resetQubits(buf.q, rows);
  for (let l = from; l < H; l++) {
    if (!(l === 0 && reuseFirstLayer)) hiddenLinear(m.dense, buf, l, rows);
    const pending = m.qubits.neuronLayer(buf.z[l], buf.q, buf.d[l], layers[l], { seed, pass, layer: l, rowOffset }, rows);
    if (pending) return pending.then(() => forward(m, buf, layers, seed, pass, rowOffset, rows, reuseFirstLayer, l + 1));
  }
  m.dense.linear(buf.d[H - 1], buf.w[H], buf.b[H], buf.logits, rows, true);
  return undefined;
}

/** dD *= the model's surrogate gradient of z, element by element on the host (models without a kernel). */
async function surrogateGradient(be: DenseEngine, layer: NeuronLayerParams, z: Tensor, dD: Tensor, rows: number): Promise<void> {
  const zs = await readTensor(be, z, rows);
  const ds = await readTensor(be, dD, rows);
  for (let i = 0; i < ds.length; i++) ds[i] *= layer.model.gradient(zs[i], layer.g);
  be.write(dD, ds);
}

/** z of hidden layer l from the input (l = 0) or the previous layer's outcomes (+1/-1). */
function hiddenLinear(be: DenseEngine, buf: Buffers, l: number, rows: number): void {
  be.linear(l === 0 ? buf.x : buf.d[l - 1], buf.w[l], buf.b[l], buf.z[l], rows, l > 0);
}

function checkDataset(dataset: Dataset, network: NetworkSpec): void {
  if (dataset.inputSize !== network.inputSize || dataset.numClasses > network.outputSize) {
    throw new DataError(`dataset ${dataset.name} has ${dataset.inputSize} inputs and ${dataset.numClasses} classes; the network expects ${network.inputSize} and ${network.outputSize}`);
  }
  if (dataset.train.n === 0) throw new ConfigError("trainSize", 0, "at least 1 training image", `dataset ${dataset.name} has no training images`);
}

/** What identifies the data a checkpoint was trained on. */
export function datasetId(d: Dataset): { name: string; trainSize: number; testSize: number } {
  return { name: d.name, trainSize: d.train.n, testSize: d.test.n };
}

function assertResumable(ck: Checkpoint, network: NetworkSpec, training: TrainSpec, dataset: Dataset): void {
  assertResumableCheckpoint(ck, "the checkpoint");
  checkFinite(ck.weights, "the checkpoint's weights");
  checkFinite(ck.velocities!, "the checkpoint's velocities");
  if (!Number.isInteger(ck.epoch) || ck.epoch < 0) throw new DataError(`the checkpoint's epoch ${ck.epoch} is not a whole number >= 0; the checkpoint is corrupt`);
  const { epochs: _e, ...trainingNew } = training;
  const { epochs: _c, ...trainingOld } = ck.training;
  const differ = [
    ...differences({ dataset: ck.dataset }, { dataset: datasetId(dataset) }),
    ...differences(ck.network, network),
    ...differences(trainingOld, trainingNew),
  ];
  if (differ.length > 0) {
    throw new DataError(
      `the checkpoint was made with other options: ${differ.join(", ")}; use the checkpoint's values (only epochs may grow) or start a new run`,
    );
  }
  if (ck.epoch > training.epochs) {
    throw new ConfigError("epochs", training.epochs, `at least ${ck.epoch}, the epoch of the checkpoint`, `the checkpoint is at epoch ${ck.epoch}, past epochs ${training.epochs}; raise epochs to continue`);
  }
}

/**
 * The leaf fields where two specs differ, as "name old (now new)". A leaf is named by its last
 * key (a, lr, trainSize), except dataset.name, which is named "dataset".
 */
function differences(old: object, now: object, path: string[] = []): string[] {
  const out: string[] = [];
  const o = old as Record<string, unknown>;
  const n = now as Record<string, unknown>;
  for (const key of new Set([...Object.keys(o), ...Object.keys(n)])) {
    const [a, b] = [o[key], n[key]];
    if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
      out.push(...differences(a, b, [...path, key]));
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      const name = key === "name" && path.at(-1) === "dataset" ? "dataset" : key;
      out.push(`${name} ${JSON.stringify(a) ?? "unset"} (now ${JSON.stringify(b) ?? "unset"})`);
    }
  }
  return out;
}

