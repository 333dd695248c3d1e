import {
  HALF_PI,
  PAPER_NETWORK,
  SgdTrainer,
  layerShapes,
  type Backend,
  type BackendCapabilities,
  type Dataset,
  type DrawKey,
  type LayerWeights,
  type NetworkSpec,
  type NeuronLayerParams,
  type QubitRegister,
  type Tensor,
  type TrainSpec,
} from "@natural-quantization/core";
import { loadMnistSubset } from "@natural-quantization/datasets";

export interface BenchOptions {
  readonly backend: Backend;
  /** Timed runs of each measurement; the median is reported (default 3). */
  readonly repetitions?: number;
  /** Untimed runs before them (default 1). */
  readonly warmup?: number;
  /** Training images (default 5000). */
  readonly trainSize?: number;
  /** Test images of the evaluation (default 5000). */
  readonly testSize?: number;
  /** Shots of the k-shot evaluation (default 15). */
  readonly shots?: number;
}

export interface BenchResult {
  readonly backend: string;
  /** Median seconds of one training epoch of the paper network (the trainer's epoch time). */
  readonly epochSeconds: number;
  /** Median wall seconds of trainer.evaluate: k-shot evaluation of the test images, weight upload included. */
  readonly evalSeconds: number;
  /** Training floating-point operations of one epoch per second (dense count, see trainingFlops). */
  readonly gflops: number;
  /** Peak resident memory of the process so far. */
  readonly peakRssMB: number;
}

/** The paper's network (784-512-512-512-10, no bias) as Model 1, a = 0.5, tanh, g = pi/2. */
export const BENCH_NETWORK: NetworkSpec = { ...PAPER_NETWORK, neuron: { a: 0.5, g: HALF_PI, activation: "tanh" } };

/**
 * Dense FLOPs of one training epoch over n images: forward 2 n sum(in out), weight gradients
 * 2 n sum(in out), input gradients 2 n sum(in out) over every layer but the first.
 */
export function trainingFlops(network: NetworkSpec, n: number): number {
  const shapes = layerShapes(network);
  const all = shapes.reduce((s, [out, inp]) => s + out * inp, 0);
  const notFirst = all - shapes[0][0] * shapes[0][1];
  return 2 * n * all * 2 + 2 * n * notFirst;
}

/**
 * Forwards to a backend and remembers the tensors and registers made through it, so that the
 * bench can release (Backend.release) what one repetition allocated before the next one starts.
 * Without it, backends that keep buffers outside the JS heap would hold every repetition's buffers
 * until a garbage collection happens to find them, and peak memory would grow with `repetitions`.
 */
class Releasing implements Backend {
  private made: Array<Tensor | QubitRegister> = [];
  constructor(private readonly be: Backend) {}
  get name(): string { return this.be.name; }
  get capabilities(): BackendCapabilities { return this.be.capabilities; }
  tensor(rows: number, cols: number): Tensor { const t = this.be.tensor(rows, cols); this.made.push(t); return t; }
  qubits(rows: number, cols: number): QubitRegister { const q = this.be.qubits(rows, cols); this.made.push(q); return q; }
  write(t: Tensor, data: Float32Array, rowOffset?: number): void { this.be.write(t, data, rowOffset); }
  read(t: Tensor, rows?: number): Float32Array { return this.be.read(t, rows); }
  resetQubits(q: QubitRegister, n: number): void { this.be.resetQubits(q, n); }
  dispose(): void { this.be.dispose(); }
  linear(x: Tensor, w: Tensor, b: Tensor | null, y: Tensor, n: number, signInput?: boolean): void { this.be.linear(x, w, b, y, n, signInput); }
  linearBackward(dY: Tensor, x: Tensor, w: Tensor, dX: Tensor | null, dW: Tensor, dB: Tensor | null, n: number): void { this.be.linearBackward(dY, x, w, dX, dW, dB, n); }
  neuronLayer(z: Tensor, q: QubitRegister, d: Tensor, params: NeuronLayerParams, draw: DrawKey, n: number): void { this.be.neuronLayer(z, q, d, params, draw, n); }
  straightThrough(z: Tensor, dD: Tensor, dZ: Tensor, n: number): void { this.be.straightThrough(z, dD, dZ, n); }
  softmaxCrossEntropy(logits: Tensor, labels: Int32Array, dLogits: Tensor | null, n: number): { loss: number; predictions: Int32Array } { return this.be.softmaxCrossEntropy(logits, labels, dLogits, n); }
  argmax(logits: Tensor, n: number): Int32Array { return this.be.argmax(logits, n); }
  sgdStep(w: Tensor, grad: Tensor, velocity: Tensor, lr: number, momentum: number): void { this.be.sgdStep(w, grad, velocity, lr, momentum); }
  /** Frees what was made since the last call (where the backend can). */
  releaseAll(): void {
    if (this.be.release) for (const t of this.made) this.be.release(t);
    this.made = [];
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function positiveInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`bench: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

/**
 * Times one training epoch (batch 64, lr 0.01, momentum 0.9, 5,000 MNIST images) and a 15-shot
 * evaluation of 5,000 test images on `backend`, each the median of `repetitions` runs after
 * `warmup` untimed ones.
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const { backend } = options;
  const repetitions = positiveInt("repetitions", options.repetitions ?? 3, 1);
  const warmup = positiveInt("warmup", options.warmup ?? 1, 0);
  const trainSize = positiveInt("trainSize", options.trainSize ?? 5000, 1);
  const testSize = positiveInt("testSize", options.testSize ?? 5000, 1);
  const shots = positiveInt("shots", options.shots ?? 15, 1);
  const dataset: Dataset = loadMnistSubset({ trainSize, testSize });
  const network = BENCH_NETWORK;
  const training: TrainSpec = { epochs: 1, batch: 64, lr: 0.01, momentum: 0.9, shots, seed: 1 };
  const tracked = new Releasing(backend);
  const trainer = new SgdTrainer(tracked);

  const epochTimes: number[] = [];
  let weights: LayerWeights[] = [];
  for (let i = 0; i < warmup + repetitions; i++) {
    const result = await trainer.train({ network, training: { ...training, seed: 1 + i }, dataset, evaluateEachEpoch: false });
    // The trainer's own time of the epoch loop: no weight initialisation or read-back.
    if (i >= warmup) epochTimes.push(result.history[0].seconds);
    weights = result.weights;
    tracked.releaseAll();
  }
  const evalTimes: number[] = [];
  for (let i = 0; i < warmup + repetitions; i++) {
    const t0 = performance.now();
    trainer.evaluate({ network, weights, split: dataset.test, shots, seed: 1 + i });
    const seconds = (performance.now() - t0) / 1000;
    if (i >= warmup) evalTimes.push(seconds);
    tracked.releaseAll();
  }
  const epochSeconds = median(epochTimes);
  return {
    backend: backend.name,
    epochSeconds,
    evalSeconds: median(evalTimes),
    gflops: trainingFlops(network, trainSize) / epochSeconds / 1e9,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

/** One human-readable line. */
export function formatBench(r: BenchResult): string {
  return `${r.backend}: epoch ${r.epochSeconds.toFixed(3)} s (${r.gflops.toFixed(1)} GFLOP/s), eval ${r.evalSeconds.toFixed(3)} s, peak RSS ${Math.round(r.peakRssMB)} MB`;
}
