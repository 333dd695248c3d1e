import type { NeuronLayerParams } from "./neuron.js";
import type { DrawKey } from "./rng.js";

/**
 * A matrix owned by a dense engine (rows x cols, row-major float32 at the boundary).
 * Only the engine that made it may use it; engines may keep it anywhere
 * (a JS array, WebAssembly memory, a device).
 */
export interface Tensor {
  readonly kind: "tensor";
  readonly rows: number;
  readonly cols: number;
}

/** The qubit register of a batch: one qubit state and one last outcome per (row, neuron). */
export interface QubitRegister {
  readonly kind: "qubits";
  readonly rows: number;
  readonly cols: number;
}

/** What a dense engine can do. */
export interface DenseCapabilities {
  /** Can run the backward pass and optimizer (training). */
  readonly training: boolean;
  /** Threads the engine computes on. */
  readonly threads: number;
}

/** A qubit layer whose outcome probabilities are exact and sampled from the run's counter-based stream. */
export interface ExactSamplingCapabilities {
  readonly sampling: "exact";
  /** Same seed, same outcomes. */
  readonly deterministic: boolean;
  /** Only memory limits the register. */
  readonly maxQubits: null;
  /** Models device noise. */
  readonly noise: boolean;
}

/** A qubit layer whose outcomes come from executions of circuits (hardware, shot simulators). */
export interface ShotSamplingCapabilities {
  readonly sampling: "shots";
  readonly deterministic: boolean;
  /** Qubits of one circuit execution (the device's size). */
  readonly maxQubits: number;
  /**
   * (sample, neuron) units one neuronLayer call should carry: what fits one job of the provider
   * (qubits per circuit x circuits per job). The Trainer sizes its batches by it.
   */
  readonly unitsPerCall: number;
  readonly noise: boolean;
}

export type QubitCapabilities = ExactSamplingCapabilities | ShotSamplingCapabilities;

interface QubitLayerBase {
  readonly name: string;
  /** A register of rows x cols qubits. */
  qubits(rows: number, cols: number): QubitRegister;
  /** Puts the first n rows of the register in the start state (alpha = 0, m = +1). */
  resetQubits(q: QubitRegister, n: number): void;
  /** Optional: frees a register now (see DenseEngine.release). */
  release?(q: QubitRegister): void;
}

/**
 * The qubit layer on a simulator: synchronous, exact probabilities, draws from the counter-based
 * stream. For each (row, j) rotate the qubit of `q` by the target of z, measure with entanglement
 * angle params.g using the draw of `draw`, apply the back-action, and write the outcome (+1 / -1) to `d`.
 * z and d are tensors of the dense engine the layer works with.
 */
export interface ExactQubitLayer extends QubitLayerBase {
  readonly capabilities: ExactSamplingCapabilities;
  neuronLayer(z: Tensor, q: QubitRegister, d: Tensor, params: NeuronLayerParams, draw: DrawKey, n: number): void;
}

/** The qubit layer on a device: circuits sent to a provider, a queued remote job. `draw` is unused. */
export interface ShotQubitLayer extends QubitLayerBase {
  readonly capabilities: ShotSamplingCapabilities;
  neuronLayer(z: Tensor, q: QubitRegister, d: Tensor, params: NeuronLayerParams, draw: DrawKey, n: number): Promise<void>;
}

export type QubitLayer = ExactQubitLayer | ShotQubitLayer;

/**
 * Dense math of a network: tensors, linear layers forward and backward, loss, optimizer.
 * Every operation works on the first `n` rows of its batch tensors (n <= rows), so one set of
 * buffers serves full and partial batches. Shapes: x [n, in], w [out, in], b [1, out], y [n, out].
 */
export interface DenseEngine {
  readonly name: string;
  readonly capabilities: DenseCapabilities;

  /** A zero-filled rows x cols tensor. */
  tensor(rows: number, cols: number): Tensor;
  /** Copies `data` (a whole number of rows) into t starting at row `rowOffset`. */
  write(t: Tensor, data: Float32Array, rowOffset?: number): void;
  /** The first `rows` rows of t (all by default) as a new array. */
  read(t: Tensor, rows?: number): Float32Array;
  /** Releases what the engine holds (tensors, workers). */
  dispose(): void;

  /** y = x w^T (+ b). `signInput` promises every entry of x is +1 or -1 (engines may add instead of multiply). */
  linear(x: Tensor, w: Tensor, b: Tensor | null, y: Tensor, n: number, signInput?: boolean): void;
  /** dW = dY^T x, dB = column sums of dY, dX = dY w (dX skipped when null). Overwrites, not accumulates. */
  linearBackward(dY: Tensor, x: Tensor, w: Tensor, dX: Tensor | null, dW: Tensor, dB: Tensor | null, n: number): void;
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
   * Optional: frees a tensor now rather than when it is garbage collected (engines that keep
   * buffers outside the JS heap, e.g. in WebAssembly memory). Using it afterwards is an error;
   * releasing twice is allowed.
   */
  release?(t: Tensor): void;
}

/** Everything a simulator declares: its dense math and its exact qubit layer. */
export type BackendCapabilities = DenseCapabilities & ExactSamplingCapabilities;

/** A simulator: dense math and an exact qubit layer in one object. */
export interface Backend extends Omit<DenseEngine, "capabilities" | "release">, Omit<ExactQubitLayer, "capabilities"> {
  readonly capabilities: BackendCapabilities;
  release?(t: Tensor | QubitRegister): void;
}

/**
 * What the Trainer runs on: a dense engine and a qubit layer. A simulator is both; a hardware
 * backend borrows a simulator's dense math and brings its own qubit layer.
 */
export interface Machine {
  readonly dense: DenseEngine;
  readonly qubits: QubitLayer;
}

/** The machine of a simulator backend (dense math and qubit layer are the same object). */
export function simulatorMachine(backend: Backend): Machine {
  return { dense: backend, qubits: backend };
}

/** Options a backend factory may take from the CLI or an experiment. */
export interface BackendOptions {
  /** Worker threads to use; backends that cannot use threads ignore it. */
  readonly threads?: number;
}
