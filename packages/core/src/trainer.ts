import type { Backend, QubitRegister, Tensor } from "./backend.js";
import type { Dataset, Split } from "./dataset.js";
import { CapabilityError, DataError } from "./errors.js";
import { errorRate, majority, type ErrorRate } from "./metrics.js";
import { HALF_PI } from "./neuron.js";
import { RandomStream } from "./rng.js";
import { hiddenLayers, validateNetwork, validateTraining, type NetworkSpec, type TrainSpec } from "./spec.js";
import { checkFinite, initWeights, type LayerWeights, type Weights } from "./weights.js";
import { saveCheckpoint, type Checkpoint } from "./checkpoint.js";

/** Metrics of one finished epoch. */
export interface EpochMetrics {
  readonly epoch: number;
  /** Mean cross-entropy over the epoch's training batches. */
  readonly loss: number;
  /** Error of the (sampled) training forward passes. */
  readonly trainError: number;
  /** One-shot test error after the epoch (null when per-epoch evaluation is off). */
  readonly testError1: number | null;
  readonly seconds: number;
}

export type ProgressEvent =
  | { readonly kind: "start"; readonly epochs: number; readonly startEpoch: number; readonly batchesPerEpoch: number }
  | { readonly kind: "batch"; readonly epoch: number; readonly batch: number; readonly batches: number }
  | { readonly kind: "epoch"; readonly metrics: EpochMetrics; readonly epochs: number; readonly etaSeconds: number }
  | { readonly kind: "eval"; readonly shot: number; readonly shots: number };

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
  /** Written atomically after every epoch; a run can resume from it. */
  readonly checkpointPath?: string;
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

export interface Trainer {
  train(options: TrainOptions): Promise<TrainResult>;
  evaluate(options: EvalOptions): EvalResult;
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

  constructor(
    private readonly backend: Backend,
    readonly spec: NetworkSpec,
    readonly rows: number,
  ) {
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
    this.q = backend.qubits(rows, spec.width);
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

  getWeights(): LayerWeights[] {
    return this.w.map((w, l) => ({
      out: w.rows,
      in: w.cols,
      w: this.backend.read(w),
      b: this.b[l] ? this.backend.read(this.b[l]!) : null,
    }));
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
    const be = this.backend;
    if (!be.release) return;
    const all: Array<Tensor | QubitRegister | null> = [...this.w, ...this.b, this.x, ...this.z, ...this.d, this.logits, this.q];
    if (this.grads) {
      const g = this.grads;
      all.push(g.dLogits, ...g.dD, ...g.dW, ...g.dB, ...g.vW, ...g.vB);
    }
    for (const t of all) if (t) be.release(t);
  }

  getVelocities(): LayerWeights[] {
    const g = this.gradients();
    return g.vW.map((v, l) => ({ out: v.rows, in: v.cols, w: this.backend.read(v), b: g.vB[l] ? this.backend.read(g.vB[l]!) : null }));
  }
}

/**
 * The backend-independent training loop of MODEL.md section 3: SGD with momentum on
 * shuffled minibatches, cross-entropy, straight-through gradients, fresh outcomes on
 * every forward pass. Every random number comes from the run seed, so a resumed run
 * continues exactly as the uninterrupted one would.
 */
export class SgdTrainer implements Trainer {
  constructor(
    private readonly backend: Backend,
    private readonly progress: ProgressReporter = silentProgress,
    private readonly clock: Clock = systemClock,
  ) {}

  async train(options: TrainOptions): Promise<TrainResult> {
    const network = validateNetwork(options.network);
    const training = validateTraining(options.training);
    const { dataset } = options;
    if (!this.backend.capabilities.training) {
      throw new CapabilityError(`backend ${this.backend.name} cannot train (capability "training" is false); train on sim-cpu or sim-wasm and evaluate the weights here with nq eval`);
    }
    checkDataset(dataset, network);
    const be = this.backend;
    const buf = new Buffers(be, network, training.batch);
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
        buf.setVelocities(ck.velocities);
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
          forward(be, buf, network, training.seed, epoch * batches + bi, 0, rows, false);
          const { loss, predictions } = be.softmaxCrossEntropy(buf.logits, yBatch.subarray(0, rows), g.dLogits, rows);
          lossSum += loss;
          for (let r = 0; r < rows; r++) if (predictions[r] !== yBatch[r]) wrong++;
          // Backward: logits layer, then each hidden layer through the straight-through mask.
          be.linearBackward(g.dLogits, buf.d[H - 1], buf.w[H], g.dD[H - 1], g.dW[H], g.dB[H], rows);
          for (let l = H - 1; l >= 0; l--) {
            be.straightThrough(buf.z[l], g.dD[l], g.dD[l], rows);
            be.linearBackward(g.dD[l], l === 0 ? buf.x : buf.d[l - 1], buf.w[l], l === 0 ? null : g.dD[l - 1], g.dW[l], g.dB[l], rows);
          }
          for (let l = 0; l <= H; l++) {
            be.sgdStep(buf.w[l], g.dW[l], g.vW[l], training.lr, training.momentum);
            if (buf.b[l]) be.sgdStep(buf.b[l]!, g.dB[l]!, g.vB[l]!, training.lr, training.momentum);
          }
          this.progress.report({ kind: "batch", epoch, batch: bi + 1, batches });
        }
        const loss = lossSum / n;
        if (!Number.isFinite(loss)) {
          throw new DataError(`training diverged at epoch ${epoch + 1} (loss ${loss}); lower --lr or check the data for NaN`);
        }
        const testError1 = options.evaluateEachEpoch === false ? null : this.evaluateWith(buf, network, dataset.test, 1, training.seed, false).oneShot.error;
        const seconds = (this.clock.now() - t0) / 1000;
        const metrics: EpochMetrics = { epoch: epoch + 1, loss, trainError: wrong / n, testError1, seconds };
        history.push(metrics);
        const done = epoch + 1 - startEpoch;
        const eta = ((this.clock.now() - started) / 1000 / done) * (training.epochs - epoch - 1);
        if (options.checkpointPath) {
          saveCheckpoint(options.checkpointPath, {
            network, training, dataset: datasetId(dataset), epoch: epoch + 1,
            weights: buf.getWeights(), velocities: buf.getVelocities(), history,
          });
        }
        this.progress.report({ kind: "epoch", metrics, epochs: training.epochs, etaSeconds: eta });
        await new Promise((r) => setImmediate(r)); // let progress output and signals through
      }
      const weights = buf.getWeights();
      checkFinite(weights, "trained weights");
      return { weights, history, trainSeconds: (this.clock.now() - started) / 1000 };
    } finally {
      buf.release();
    }
  }

  evaluate(options: EvalOptions): EvalResult {
    const network = validateNetwork(options.network);
    checkFinite(options.weights, "weights");
    const buf = new Buffers(this.backend, network, Math.min(EVAL_CHUNK, Math.max(1, options.split.n)));
    try {
      buf.setWeights(options.weights);
      return this.evaluateWith(buf, network, options.split, options.shots, options.seed, true);
    } finally {
      buf.release();
    }
  }

  /**
   * One-shot and k-shot error. The first linear layer is deterministic, so it is computed
   * once per image; each shot redraws every measurement.
   */
  private evaluateWith(buf: Buffers, network: NetworkSpec, split: Split, shots: number, seed: number, report: boolean): EvalResult {
    const be = this.backend;
    const t0 = this.clock.now();
    const C = network.outputSize;
    const votes = new Int32Array(split.n * C);
    let wrong1 = 0;
    for (let start = 0; start < split.n; start += buf.rows) {
      const rows = Math.min(buf.rows, split.n - start);
      be.write(buf.x, split.x.subarray(start * network.inputSize, (start + rows) * network.inputSize));
      for (let s = 0; s < shots; s++) {
        forward(be, buf, network, seed, EVAL_PASS_BASE + s, start, rows, s > 0);
        const pred = be.argmax(buf.logits, rows);
        for (let r = 0; r < rows; r++) {
          votes[(start + r) * C + pred[r]]++;
          if (s === 0 && pred[r] !== split.y[start + r]) wrong1++;
        }
      }
      if (report) this.progress.report({ kind: "eval", shot: Math.round(((start + rows) / split.n) * shots), shots });
    }
    const vote = majority(votes, split.n, C);
    let wrongK = 0;
    for (let i = 0; i < split.n; i++) if (vote[i] !== split.y[i]) wrongK++;
    return { oneShot: errorRate(wrong1, split.n), kShot: errorRate(wrongK, split.n), shots, seconds: (this.clock.now() - t0) / 1000 };
  }
}

/** One forward pass of the rows in buf.x; `reuseFirstLayer` keeps z of layer 1 from the previous pass. */
function forward(be: Backend, buf: Buffers, network: NetworkSpec, seed: number, pass: number, rowOffset: number, rows: number, reuseFirstLayer: boolean): void {
  const H = hiddenLayers(network);
  be.resetQubits(buf.q, rows);
  for (let l = 0; l < H; l++) {
    if (!(l === 0 && reuseFirstLayer)) be.linear(l === 0 ? buf.x : buf.d[l - 1], buf.w[l], buf.b[l], buf.z[l], rows, l > 0);
    const params = { ...network.neuron, g: l === H - 1 ? HALF_PI : network.neuron.g };
    be.neuronLayer(buf.z[l], buf.q, buf.d[l], params, { seed, pass, layer: l, rowOffset }, rows);
  }
  be.linear(buf.d[H - 1], buf.w[H], buf.b[H], buf.logits, rows, true);
}

function checkDataset(dataset: Dataset, network: NetworkSpec): void {
  if (dataset.inputSize !== network.inputSize || dataset.numClasses > network.outputSize) {
    throw new DataError(`dataset ${dataset.name} has ${dataset.inputSize} inputs and ${dataset.numClasses} classes; the network expects ${network.inputSize} and ${network.outputSize}`);
  }
  if (dataset.train.n === 0) throw new DataError(`dataset ${dataset.name} has no training images; use --train-size >= 1`);
}

/** What identifies the data a checkpoint was trained on. */
export function datasetId(d: Dataset): { name: string; trainSize: number; testSize: number } {
  return { name: d.name, trainSize: d.train.n, testSize: d.test.n };
}

function assertResumable(ck: Checkpoint, network: NetworkSpec, training: TrainSpec, dataset: Dataset): void {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(ck.dataset, datasetId(dataset))) {
    throw new DataError(`the checkpoint was trained on ${JSON.stringify(ck.dataset)}, not ${JSON.stringify(datasetId(dataset))}; use the same --dataset and sizes or a new --out directory`);
  }
  const { epochs: _e, ...restNew } = training;
  const { epochs: _c, ...restOld } = ck.training;
  if (!same(ck.network, network) || !same(restOld, restNew)) {
    throw new DataError("the checkpoint was made with another network or training configuration; use the same options (only --epochs may grow) or a new --out directory");
  }
  if (ck.epoch > training.epochs) {
    throw new DataError(`the checkpoint is at epoch ${ck.epoch}, past --epochs ${training.epochs}; raise --epochs to continue`);
  }
}

