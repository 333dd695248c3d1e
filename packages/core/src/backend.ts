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

/**
 * Where one neuronLayer call sits in a run: the run seed, the forward pass (training step or
 * evaluation shot), the hidden layer and the global index of the batch's first row. A simulator
 * draws its outcomes from it (see neuronUniforms); a device seeds its shots with it, so the same
 * run context gives the same outcomes on a seeded device too.
 */
export type RunContext = DrawKey;

/**
 * The qubit layer: a register of qubit neurons per (row, neuron) and one update of a layer of them.
 * On a simulator it is a synchronous kernel over the counter-based stream (neuronLayer returns
 * undefined); on a device it is a queued remote job (neuronLayer returns a promise). Callers await
 * only what is returned, so synchronous layers pay nothing for the asynchronous ones.
 */
export interface QubitLayer {
  readonly name: string;
  readonly capabilities: QubitCapabilities;
  /** A register of rows x cols qubits. */
  qubitRegister(rows: number, cols: number): QubitRegister;
  /** Puts the first n rows of the register in the start state (alpha = 0, m = +1). */
  resetQubits(q: QubitRegister, n: number): void;
  /** Optional: frees a register now (see DenseEngine.release). */
  release?(q: QubitRegister): void;
  /**
   * For each of the first n rows and every neuron j: rotate the qubit of `q` by the target of
   * z[row, j] under `params.model`, measure it with entanglement angle params.g (drawing from, or
   * seeded by, `run`), apply the back-action, and write the outcome (+1 / -1) to d. z and d are
   * tensors of the dense engine the layer works with.
   */
  neuronLayer(z: Tensor, q: QubitRegister, d: Tensor, params: NeuronLayerParams, run: RunContext, n: number): void | Promise<void>;
}

/** A qubit layer with exact probabilities drawn from the run's counter-based stream (the exact tier of the conformance suite). */
export interface ExactQubitLayer extends QubitLayer {
  readonly capabilities: ExactSamplingCapabilities;
}

/** A qubit layer whose outcomes come from executed circuits (the shots tier of the conformance suite). */
export interface ShotQubitLayer extends QubitLayer {
  readonly capabilities: ShotSamplingCapabilities;
}

/** The result of DenseEngine.softmaxCrossEntropy. */
export interface LossResult {
  readonly loss: number;
  readonly predictions: Int32Array;
}

/**
 * Dense math of a network: tensors, linear layers forward and backward, loss, optimizer.
 * Every operation works on the first `n` rows of its batch tensors (n <= rows), so one set of
 * buffers serves full and partial batches. Shapes: x [n, in], w [out, in], b [1, out], y [n, out].
 *
 * Operations that only enqueue work are synchronous. What brings numbers back to JavaScript may be
 * asynchronous, as in TensorFlow.js (an engine whose memory is on a GPU): `read` returns a promise
 * and `readSync` is the optional fast path; softmaxCrossEntropy and argmax may return a promise.
 */
export interface DenseEngine {
  readonly name: string;
  readonly capabilities: DenseCapabilities;

  /** A zero-filled rows x cols tensor. */
  tensor(rows: number, cols: number): Tensor;
  /** Copies `data` (a whole number of rows) into t starting at row `rowOffset`. */
  write(t: Tensor, data: Float32Array, rowOffset?: number): void;
  /** The first `rows` rows of t (all by default) as a new array. */
  read(t: Tensor, rows?: number): Promise<Float32Array>;
  /** The same, synchronously: engines whose memory JavaScript can reach directly provide it. */
  readSync?(t: Tensor, rows?: number): Float32Array;
  /** Releases what the engine holds (tensors, workers). */
  dispose(): void;

  /** y = x w^T (+ b). `signInput` promises every entry of x is +1 or -1 (engines may add instead of multiply). */
  linear(x: Tensor, w: Tensor, b: Tensor | null, y: Tensor, n: number, signInput?: boolean): void;
  /** dW = dY^T x, dB = column sums of dY, dX = dY w (dX skipped when null). Overwrites, not accumulates. */
  linearBackward(dY: Tensor, x: Tensor, w: Tensor, dX: Tensor | null, dW: Tensor, dB: Tensor | null, n: number): void;
  /**
   * dZ = dD * 1{|z| < 1}: the straight-through estimator of the built-in neuron model; dZ may be dD.
   * (A neuron model with another surrogate gradient has it applied by the Trainer, see surrogateGradient.)
   */
  straightThrough(z: Tensor, dD: Tensor, dZ: Tensor, n: number): void;
  /**
   * Softmax cross-entropy of logits against labels: returns the summed loss and the argmax of
   * each row (ties to the lowest class). Writes (softmax - onehot) / n to dLogits when given.
   */
  softmaxCrossEntropy(logits: Tensor, labels: Int32Array, dLogits: Tensor | null, n: number): LossResult | Promise<LossResult>;
  /** Row argmax of the first n rows (ties to the lowest index). */
  argmax(logits: Tensor, n: number): Int32Array | Promise<Int32Array>;
  /** SGD with momentum (PyTorch convention): v = momentum v + grad; w -= lr v. */
  sgdStep(w: Tensor, grad: Tensor, velocity: Tensor, lr: number, momentum: number): void;
  /**
   * Optional: frees a tensor now rather than when it is garbage collected (engines that keep
   * buffers outside the JS heap, e.g. in WebAssembly memory). Using it afterwards is an error;
   * releasing twice is allowed.
   */
  release?(t: Tensor): void;
}

/**
 * What the Trainer runs on: a dense engine and a qubit layer. A device brings its qubit layer and
 * borrows a simulator's dense engine; a dense-only engine (sim-tfjs) borrows a simulator's qubit
 * layer; a simulator brings both (see Backend).
 */
export interface Machine {
  readonly dense: DenseEngine;
  readonly qubits: QubitLayer;
}

/** Everything a simulator declares: its dense math and its exact qubit layer. */
export type BackendCapabilities = DenseCapabilities & ExactSamplingCapabilities;

/**
 * A simulator: a machine whose dense engine and exact qubit layer are one object (`dense` and
 * `qubits` are the object itself), with synchronous reads and results. The shape every simulator
 * package exports; the conformance suite's backendConformance runs all its tiers.
 */
export interface Backend extends Omit<DenseEngine, "capabilities" | "release" | "softmaxCrossEntropy" | "argmax">, Omit<ExactQubitLayer, "capabilities" | "release" | "neuronLayer"> {
  readonly capabilities: BackendCapabilities;
  readonly dense: Backend;
  readonly qubits: Backend;
  readSync(t: Tensor, rows?: number): Float32Array;
  softmaxCrossEntropy(logits: Tensor, labels: Int32Array, dLogits: Tensor | null, n: number): LossResult;
  argmax(logits: Tensor, n: number): Int32Array;
  neuronLayer(z: Tensor, q: QubitRegister, d: Tensor, params: NeuronLayerParams, run: RunContext, n: number): void;
  release?(t: Tensor | QubitRegister): void;
}

/** Throws a RangeError naming the engine unless rows x cols is a tensor shape (non-negative integers). */
export function checkTensorShape(engine: string, rows: number, cols: number): void {
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows >= 0 && cols >= 0)) {
    throw new RangeError(`${engine}: tensor shape must be non-negative integers, got ${rows}x${cols}`);
  }
}

/** The rows that `length` values written at `rowOffset` cover in a rows x cols tensor; a RangeError when they do not fit it. */
export function writtenRows(shape: { readonly rows: number; readonly cols: number }, length: number, rowOffset: number): number {
  const rows = shape.cols === 0 ? 0 : length / shape.cols;
  if (!Number.isInteger(rows) || rowOffset < 0 || rowOffset + rows > shape.rows) {
    throw new RangeError(`write of ${length} values at row ${rowOffset} does not fit a ${shape.rows}x${shape.cols} tensor`);
  }
  return rows;
}

/** The first rows of a tensor: synchronously where the engine can, else the promise of them. */
export function readTensor(dense: DenseEngine, t: Tensor, rows?: number): Float32Array | Promise<Float32Array> {
  return dense.readSync ? dense.readSync(t, rows) : dense.read(t, rows);
}

/** Options a backend factory may take from the CLI or an experiment. */
export interface BackendOptions {
  /** Worker threads to use; backends that cannot use threads ignore it. */
  readonly threads?: number;
  /**
   * Values of the options the plugin declares (BackendPlugin.options), by option name, as the user
   * gave them (strings; true for a switch); an option not given has its declared default or is
   * absent. The plugin parses and checks its own values.
   */
  readonly settings?: PluginOptionValues;
}

/**
 * An option a plugin takes from its user, declared by the plugin so that a front end can offer it
 * without knowing the plugin: the CLI adds it as `--name <value>` to every command that runs a
 * network with that plugin.
 */
export interface PluginOption {
  /** Lower-case words joined by "-" (the CLI's flag is `--name`). */
  readonly name: string;
  readonly description: string;
  /** The placeholder of its value (`--name <value>`); absent: a switch that takes no value. */
  readonly value?: string;
  /** The value when the option is not given. */
  readonly default?: string;
}

/** The values of a plugin's declared options, by name. */
export type PluginOptionValues = Readonly<Record<string, string | true>>;
