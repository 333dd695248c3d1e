import type { NeuronParams } from "./neuron.js";
import type { DrawKey } from "./rng.js";

/**
 * A matrix owned by a backend (rows x cols, row-major float32 at the boundary).
 * Only the backend that made it may use it; backends may keep it anywhere
 * (a JS array, WebAssembly memory, a device).
 */
export interface Tensor {
  readonly rows: number;
  readonly cols: number;
}

/** The qubit register of a batch: one angle and one last outcome per (row, neuron). */
export interface QubitRegister {
  readonly rows: number;
  readonly cols: number;
}

/** What a backend can do; the Trainer and CLI adapt to it instead of guessing. */
export interface BackendCapabilities {
  /** Can run the backward pass and optimizer (training). */
  readonly training: boolean;
  /**
   * "exact": outcome probabilities are computed exactly and sampled from the run's counter-based
   * random stream. "shots": outcomes come from executions of circuits (hardware, shot simulators).
   */
  readonly sampling: "exact" | "shots";
  /** Same seed, same outcomes, on this backend. */
  readonly deterministic: boolean;
  /** Largest number of qubits one execution may use; null where only memory limits it. */
  readonly maxQubits: number | null;
  /** Models device noise. */
  readonly noise: boolean;
  /** Threads the backend computes on. */
  readonly threads: number;
}

/** One hidden layer's neuron parameters, with g already set to pi/2 for the last hidden layer. */
export type NeuronLayerParams = NeuronParams;

/**
 * The numerical engine of a network. Every operation works on the first `n` rows of its
 * batch tensors (n <= rows), so one set of buffers serves full and partial batches.
 * Shapes: x [n, in], w [out, in], b [1, out], y [n, out].
 */
export interface Backend {
  readonly name: string;
  readonly capabilities: BackendCapabilities;

  /** A zero-filled rows x cols tensor. */
  tensor(rows: number, cols: number): Tensor;
  /** Copies `data` (a whole number of rows) into t starting at row `rowOffset`. */
  write(t: Tensor, data: Float32Array, rowOffset?: number): void;
  /** The first `rows` rows of t (all by default) as a new array. */
  read(t: Tensor, rows?: number): Float32Array;
  /** A register of rows x cols qubits. */
  qubits(rows: number, cols: number): QubitRegister;
  /** Puts the first n rows of the register in the start state (alpha = 0, m = +1). */
  resetQubits(q: QubitRegister, n: number): void;
  /** Releases what the backend holds (tensors, workers). */
  dispose(): void;

  /** y = x w^T (+ b). `signInput` promises every entry of x is +1 or -1 (backends may add instead of multiply). */
  linear(x: Tensor, w: Tensor, b: Tensor | null, y: Tensor, n: number, signInput?: boolean): void;
  /** dW = dY^T x, dB = column sums of dY, dX = dY w (dX skipped when null). Overwrites, not accumulates. */
  linearBackward(dY: Tensor, x: Tensor, w: Tensor, dX: Tensor | null, dW: Tensor, dB: Tensor | null, n: number): void;
  /**
   * A hidden layer of qubit neurons (MODEL.md section 2): for each (row, j) rotate the qubit of
   * `q` by the target of z, measure with entanglement angle params.g using the draw of `draw`,
   * apply the back-action, and write the outcome (+1 / -1) to `d`.
   */
  neuronLayer(z: Tensor, q: QubitRegister, d: Tensor, params: NeuronLayerParams, draw: DrawKey, n: number): void;
  /** dZ = dD * 1{|z| < 1} (straight-through estimator); dZ may be dD. */
  straightThrough(z: Tensor, dD: Tensor, dZ: Tensor, n: number): void;
  /**
   * Softmax cross-entropy of logits against labels: returns the summed loss and the argmax of
   * each row (ties to the lowest class). Writes (softmax - onehot) / n to dLogits when given.
   */
  softmaxCrossEntropy(logits: Tensor, labels: Int32Array, dLogits: Tensor | null, n: number): { loss: number; predictions: Int32Array };
  /** Row argmax of the first n rows (ties to the lowest index). */
  argmax(logits: Tensor, n: number): Int32Array;
  /** SGD with momentum (PyTorch convention): v = momentum v + grad; w -= lr v. */
  sgdStep(w: Tensor, grad: Tensor, velocity: Tensor, lr: number, momentum: number): void;
  /**
   * Optional: frees a tensor or register now rather than when it is garbage collected (backends
   * that keep buffers outside the JS heap, e.g. in WebAssembly memory, cannot rely on the GC
   * noticing them). Using it afterwards is an error; releasing twice is allowed.
   */
  release?(t: Tensor | QubitRegister): void;
}

/** Options a backend factory may take from the CLI or an experiment. */
export interface BackendOptions {
  /** Worker threads to use; backends that cannot use threads ignore it. */
  readonly threads?: number;
}
