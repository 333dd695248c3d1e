import { availableParallelism } from "node:os";
import {
  CapabilityError,
  ConfigError,
  isBuiltinNeuron,
  isProjective,
  type Backend,
  type BackendCapabilities,
  type BackendOptions,
  type LossResult,
  type NeuronLayerParams,
  type RunContext,
  type QubitRegister,
  type Tensor,
  checkTensorShape,
  writtenRows,
} from "@natural-quantization/core";
import { binding, Kernel, type Binding, type KernelName, type PoolHandle } from "./binding.js";

/** Options of the sim-native backend. */
export interface NativeBackendOptions extends BackendOptions {
  /** Threads: the calling thread and `threads - 1` native workers (any count >= 1; default: os.availableParallelism()). */
  readonly threads?: number;
  /**
   * Update a sign-input layer from the flips of its input since the previous call instead of
   * recomputing it (k-shot evaluation: consecutive shots differ in few neurons). Default true.
   */
  readonly incremental?: boolean;
  /** Time every kernel call (wall and CPU time, see `kernelTimes`): for profiling. Default false. */
  readonly profile?: boolean;
}

/** Time spent in one kernel (see NativeBackendOptions.profile). */
export interface KernelTime {
  calls: number;
  wallMs: number;
  cpuMs: number;
}

/** A block of native memory: its address, size and the ArrayBuffer over it. */
interface Block {
  readonly at: number;
  readonly bytes: number;
  readonly buffer: ArrayBuffer;
}

/** Where the last sign-input product into a tensor came from (for incremental updates). */
interface SignState {
  readonly masks: Block; // rows x words uint32: the saved input sign bits
  readonly words: number;
  w: NativeTensor | null;
  wVersion: number;
  b: NativeTensor | null;
  bVersion: number;
  yVersion: number;
  rows: number;
}

/** A matrix in memory: row-major from `at`, `stride` floats between rows. */
interface View {
  at: number;
  stride: number;
}

/** A copy of a tensor in its other layout (or its column sums), as of `version` of the tensor. */
interface Derived extends View {
  block: Block;
  version: number;
}

/** The update that a deferred gradient is fused with (sgdStep's operands). */
interface PendingStep {
  readonly w: NativeTensor;
  readonly v: NativeTensor;
  readonly lr: number;
  readonly momentum: number;
}

/** A weight gradient that linearBackward deferred to sgdStep (see deferGradient). */
interface PendingGradient {
  readonly dW: NativeTensor;
  /** The tensors it reads: using one of them first computes the gradient. */
  readonly inputs: readonly NativeTensor[];
  /** Computes the gradient alone (null), or row by row together with the update. */
  readonly compute: (step: PendingStep | null) => void;
}

/** Floats every row is padded to: one AVX-512 vector, so a row is whole vectors on every instruction set. */
const PAD = 16;

function pad(n: number): number {
  return Math.ceil(n / PAD) * PAD;
}

/**
 * Floats between the starts of two rows: whole vectors, and for wide rows whose length is a
 * multiple of 256 bytes one vector more, so that the same column of consecutive rows does not
 * fall into the same L1 cache set (kernels read columns of many rows at once).
 */
export function rowStride(cols: number): number {
  const s = pad(cols);
  return s >= 256 && s % 64 === 0 ? s + PAD : s;
}

/**
 * A float32 matrix in native memory. Its storage is row-major ([rows, cols]) or, when
 * `transposed`, column-major ([cols, rows]): weight gradients are computed as dW^T where that is
 * cheaper (first layer: zero pixels are skipped; layers fed by neuron outcomes: additions only),
 * and the weights follow them, which also suits the forward pass (it reads W^T). Padding is zero.
 */
export class NativeTensor implements Tensor {
  readonly kind = "tensor";
  storage: Block;
  f32: Float32Array;
  stride: number;
  transposed = false;
  /** Bumped by every write, so caches derived from the tensor know when they are stale. */
  version = 0;
  released = false;
  other: Derived | null = null;
  colsum: (Derived & { split: string }) | null = null;
  sign: SignState | null = null;
  /** `version` at which a neuron layer wrote +1/-1 outcomes into the tensor (-1: never). */
  signsVersion = -1;

  constructor(
    readonly owner: NativeBackend,
    readonly rows: number,
    readonly cols: number,
    storage: Block,
    /** Every block the tensor holds (storage, caches), freed together. */
    readonly blocks: Block[],
  ) {
    this.storage = storage;
    this.f32 = new Float32Array(storage.buffer);
    this.stride = rowStride(cols);
  }

  get at(): number {
    return this.storage.at;
  }
}

class NativeQubits implements QubitRegister {
  readonly kind = "qubits";
  /** Leading rows known to be in a basis state (alpha 0 or pi): the projective fast path applies. */
  cleanRows = 0;
  /** The states (cos(alpha/2), sin(alpha/2)) as float64 pairs, allocated when a non-projective layer first needs them. */
  state: Block | null = null;
  released = false;
  constructor(
    readonly owner: NativeBackend,
    readonly rows: number,
    readonly cols: number,
    /** Last outcomes, int8 per qubit, rows x cols. */
    readonly m: Block,
    readonly blocks: Block[],
  ) {}
}

const HALF_PI = Math.PI / 2;
/** Rows of a list product computed together (native/kernels.inc.cc ROW_BLOCK): each needs a list in scratch. */
const ROW_BLOCK = 32;
/** Rows per chunk of a list product at least: a chunk's rows share the cached slab of each column tile. */
const ROW_GRANULE = 8;
/** Least estimated work of a chunk: below it the hand-over costs more than it saves. */
const MIN_CHUNK_WORK = 20_000;
/** Input gradients by dot products (gemmNT) need outputs this wide to beat a transposed copy and a list product. */
const NT_MIN_OUT = 64;
/** Columns of dX per chunk of gemmNT at least (a multiple of its blocks of 4). */
const NT_GRANULE = 16;
/** Chunks of a large job: fixed, never derived from the thread count, so a job is cut the same way for 1 or 64 threads. */
const MAX_CHUNKS = 64;

/**
 * Groups of k that a training batch's forward product is split into. With 2 threads, each reads
 * only the rows of the weight that it updates itself in sgdStep, so no weight row moves between the
 * cores' caches twice a step. Fixed, never the thread count, so that results do not depend on it.
 * At most 4 (the kernels' Groups).
 */
const SPLIT_GROUPS = 2;
/** Rows of a product at most for a split: a training batch (the groups' sums take a temporary block). */
const SPLIT_MAX_ROWS = 256;

/** Chunks of a job (as NativeBackend.run and the pool cut it): the chunk's size and their count. */
function chunking(total: number, granule: number, work: number): { size: number; count: number } {
  const units = Math.ceil(total / granule);
  const chunks = Math.min(units, Math.max(1, Math.min(MAX_CHUNKS, Math.floor(work / MIN_CHUNK_WORK))));
  const size = Math.ceil(units / chunks) * granule;
  return { size, count: Math.ceil(total / size) };
}

/**
 * The SPLIT_GROUPS + 1 bounds of k of a split forward product (K inputs, n rows, `work` as its
 * gradient's), at multiples of `multiple`; null where the product is not split. The bounds are
 * those of the threads' shares of the gradient's rows in gradientStep (chunks of K rows), so a
 * thread's group is the rows of the weight it updates.
 */
function splitOverK(K: number, n: number, work: number, multiple: number): number[] | null {
  if (n > SPLIT_MAX_ROWS) return null;
  const { size, count } = chunking(K, ROW_GRANULE, work);
  const bounds = [0];
  for (let g = 1; g < SPLIT_GROUPS; g++) bounds.push(Math.round((Math.floor((g * count) / SPLIT_GROUPS) * size) / multiple) * multiple);
  bounds.push(K);
  for (let g = 0; g < SPLIT_GROUPS; g++) if (!(bounds[g] < bounds[g + 1])) return null;
  return bounds;
}

/**
 * The native backend: float32 tensors in native memory, kernels in C++ (native/kernels.inc.cc)
 * for the instruction set the CPU has, float64 neuron physics, a native thread pool.
 */
export class NativeBackend implements Backend {
  readonly name = "sim-native";
  /** A whole machine: dense engine and exact qubit layer are the backend itself. */
  readonly dense: NativeBackend = this;
  readonly qubits: NativeBackend = this;
  readonly capabilities: BackendCapabilities;
  /** Instruction set of the kernels in use ("avx512", "avx2" or "portable"). */
  readonly isa: string;
  private readonly lib: Binding;
  private readonly pool: PoolHandle;
  private readonly incremental: boolean;
  private readonly registry: FinalizationRegistry<Block[]>;
  private readonly args = new Float64Array(32);
  private scratchSize = 0;
  private temps: Block[] = [];
  /** Weight gradients not computed yet (at most one per layer, between backward and update). */
  private pending: PendingGradient[] = [];
  private disposed = false;
  private allocated = 0;
  /** Rows of sign-input products computed so far, and how many of them were updated from their input's flips. */
  readonly stats = { signRows: 0, updatedRows: 0 };
  /** Per kernel, when profiling (options.profile). */
  readonly kernelTimes: Map<string, KernelTime> | null;

  constructor(options: NativeBackendOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) throw new ConfigError("sim-native threads", options.threads, "an integer >= 1");
    this.lib = binding();
    this.isa = this.lib.isa;
    this.incremental = options.incremental ?? true;
    this.kernelTimes = options.profile ? new Map() : null;
    this.pool = this.lib.createPool(threads);
    this.capabilities = { training: true, sampling: "exact", deterministic: true, maxQubits: null, noise: false, threads };
    const lib = this.lib;
    this.registry = new FinalizationRegistry((blocks: Block[]) => {
      for (const b of blocks) lib.free(b.at, b.bytes);
    });
    this.ensureScratch(1 << 16);
  }

  /** Bytes of native memory held by tensors and registers now. */
  get memoryBytes(): number {
    return this.allocated;
  }

  // ----------------------------------------------------------------------------------------
  // Buffers

  tensor(rows: number, cols: number): Tensor {
    this.live();
    checkTensorShape("sim-native", rows, cols);
    const storage = this.alloc(rows * rowStride(cols) * 4);
    const blocks = [storage];
    const t = new NativeTensor(this, rows, cols, storage, blocks);
    this.registry.register(t, blocks, t);
    return t;
  }

  write(t: Tensor, data: Float32Array, rowOffset = 0): void {
    const w = this.own(t);
    const rows = writtenRows(w, data.length, rowOffset);
    const f = w.f32;
    if (w.transposed) {
      for (let r = 0; r < rows; r++) for (let c = 0; c < w.cols; c++) f[c * w.stride + rowOffset + r] = data[r * w.cols + c];
    } else if (w.stride === w.cols) f.set(data, rowOffset * w.stride);
    else for (let r = 0; r < rows; r++) f.set(data.subarray(r * w.cols, (r + 1) * w.cols), (rowOffset + r) * w.stride);
    w.version++;
  }

  async read(t: Tensor, rows?: number): Promise<Float32Array> {
    return this.readSync(t, rows);
  }

  readSync(t: Tensor, rows?: number): Float32Array {
    const w = this.own(t);
    const n = rows ?? w.rows;
    if (!(Number.isInteger(n) && n >= 0 && n <= w.rows)) throw new RangeError(`read of ${n} rows from a ${w.rows}x${w.cols} tensor`);
    const f = w.f32;
    if (!w.transposed && w.stride === w.cols) return f.slice(0, n * w.cols);
    const out = new Float32Array(n * w.cols);
    if (w.transposed) {
      for (let r = 0; r < n; r++) for (let c = 0; c < w.cols; c++) out[r * w.cols + c] = f[c * w.stride + r];
    } else {
      for (let r = 0; r < n; r++) out.set(f.subarray(r * w.stride, r * w.stride + w.cols), r * w.cols);
    }
    return out;
  }

  qubitRegister(rows: number, cols: number): QubitRegister {
    this.live();
    const m = this.alloc(rows * cols);
    const blocks = [m];
    const q = new NativeQubits(this, rows, cols, m, blocks);
    this.registry.register(q, blocks, q);
    // A fresh register is in the start state.
    new Int8Array(m.buffer).fill(1);
    q.cleanRows = rows;
    return q;
  }

  release(t: Tensor | QubitRegister): void {
    if (!(t instanceof NativeTensor || t instanceof NativeQubits) || t.owner !== this) {
      throw new CapabilityError("sim-native was asked to release a tensor made by another backend");
    }
    if (t.released) return;
    if (t instanceof NativeTensor && this.pending.length > 0) this.settle(t);
    t.released = true;
    this.registry.unregister(t);
    for (const b of t.blocks) this.freeBlock(b);
    t.blocks.length = 0;
  }

  resetQubits(q: QubitRegister, n: number): void {
    const r = this.ownQubits(q);
    this.rowsCheck(n, r.rows);
    this.run("resetQubits", [r.m.at, r.cols], n, 1, n * r.cols);
    r.cleanRows = Math.max(r.cleanRows, n);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pending = [];
    this.lib.closePool(this.pool);
    for (const b of this.temps) if (b) this.freeBlock(b);
    this.temps = [];
  }

  // ----------------------------------------------------------------------------------------
  // Linear layers

  linear(x: Tensor, w: Tensor, b: Tensor | null, y: Tensor, n: number, signInput = false): void {
    const X = this.own(x), W = this.own(w), B = b ? this.own(b) : null, Y = this.own(y);
    if (X.cols !== W.cols || Y.cols !== W.rows || (B && B.cols !== W.rows)) {
      throw new RangeError(`linear: shapes x ${X.rows}x${X.cols}, w ${W.rows}x${W.cols}, y ${Y.rows}x${Y.cols} do not match`);
    }
    this.rowsCheck(n, Math.min(X.rows, Y.rows));
    this.rowMajor(X);
    this.rowMajor(Y);
    if (B) this.rowMajor(B);
    const T = this.colView(W);
    const K = W.cols, width = pad(W.rows);
    if (signInput) {
      const words = (K + 31) >> 5;
      let s = Y.sign;
      if (!s || s.words !== words) {
        const masks = this.alloc(Y.rows * words * 4);
        Y.blocks.push(masks);
        s = { masks, words, w: null, wVersion: -1, b: null, bVersion: -1, yVersion: -1, rows: 0 };
        Y.sign = s;
      }
      const valid = this.incremental && s.w === W && s.wVersion === W.version && s.b === B && s.bVersion === (B ? B.version : -1) && s.yVersion === Y.version;
      const incRows = valid ? Math.min(n, s.rows) : 0;
      const work = (n * K * W.rows) / 2;
      // Rows updated from their flips need the whole sum in y: a split product only without them.
      const split = incRows === 0 ? splitOverK(K, n, work, 32) : null;
      const colsum = this.colSums(W, T, split);
      this.ensureScratch(ROW_BLOCK * (words * 4 + K * 8) + 256);
      const args = [X.at, X.stride, K, T.at, T.stride, width, colsum];
      const updated = split
        ? this.runSplit("gemmSign", [...args, 0], [s.masks.at, 0], split, Y, B, width, n, work)
        : this.run("gemmSign", [...args, B ? B.at : 0, Y.at, Y.stride, s.masks.at, incRows, 0, 0], n, ROW_GRANULE, work);
      this.stats.updatedRows += updated;
      this.stats.signRows += n;
      Y.version++;
      s.w = W; s.wVersion = W.version; s.b = B; s.bVersion = B ? B.version : -1; s.yVersion = Y.version;
      s.rows = valid ? Math.max(n, s.rows) : n;
    } else {
      this.ensureScratch(ROW_BLOCK * K * 8 + 256);
      const work = n * K * W.rows;
      const split = splitOverK(K, n, work, 1);
      const args = [X.at, X.stride, 1, K, T.at, T.stride, width, 0];
      if (split) this.runSplit("gemmSparse", args, [], split, Y, B, width, n, work);
      else this.run("gemmSparse", [X.at, X.stride, 1, K, T.at, T.stride, width, B ? B.at : 0, Y.at, Y.stride, 0, 0], n, ROW_GRANULE, work);
      Y.version++;
    }
  }

  linearBackward(dY: Tensor, x: Tensor, w: Tensor, dX: Tensor | null, dW: Tensor, dB: Tensor | null, n: number): void {
    const G = this.own(dY), X = this.own(x), W = this.own(w), DW = this.own(dW);
    const DX = dX ? this.own(dX) : null, DB = dB ? this.own(dB) : null;
    const out = W.rows, K = W.cols;
    if (G.cols !== out || X.cols !== K || DW.rows !== out || DW.cols !== K || (DX && DX.cols !== K) || (DB && DB.cols !== out)) {
      throw new RangeError("linearBackward: shapes do not match");
    }
    this.rowsCheck(n, Math.min(G.rows, X.rows, DX ? DX.rows : Infinity));
    this.rowMajor(G);
    this.rowMajor(X);
    this.ensureScratch(ROW_BLOCK * (Math.max(n, out) * 8 + 64) + 256);
    this.deferGradient(G, X, DW, n, DX !== null);
    DW.version++;
    if (DB) {
      this.rowMajor(DB);
      this.run("colSums", [G.at, G.stride, n, DB.at, pad(out) / PAD, 0], pad(out) / PAD, 1, n * out);
      DB.version++;
    }
    if (DX) {
      // dX[i, :] = sum_o dY[i, o] W[o, :].
      this.settle(DX); // dX overwriting dY or x: the deferred gradient reads them first
      this.rowMajor(DX);
      if (W.transposed && out >= NT_MIN_OUT) {
        // W is stored as W^T (its gradient's layout): dot products of rows of dY and of W^T, no
        // transposed copy.
        this.run("gemmNT", [G.at, G.stride, n, W.at, W.stride, pad(out), DX.at, DX.stride], K, NT_GRANULE, n * K * out);
      } else {
        const R = this.rowView(W);
        this.run("gemmSparse", [G.at, G.stride, 1, out, R.at, R.stride, pad(K), 0, DX.at, DX.stride, 0, 0], n, ROW_GRANULE, n * K * out);
      }
      DX.version++;
    }
  }

  // ----------------------------------------------------------------------------------------
  // Neurons, loss, optimizer

  /** The built-in neuron model only, in the kernels; another model is refused. */
  neuronLayer(z: Tensor, q: QubitRegister, d: Tensor, params: NeuronLayerParams, draw: RunContext, n: number): void {
    if (!isBuiltinNeuron(params.model)) {
      throw new CapabilityError(`sim-native runs only the built-in neuron model "qubit" in its kernels, not "${params.model.name}"; run that model on sim-cpu`);
    }
    const Z = this.own(z), D = this.own(d), Q = this.ownQubits(q);
    if (Z.cols !== Q.cols || D.cols !== Q.cols) throw new RangeError("neuronLayer: z, d and the register must have the same columns");
    this.rowsCheck(n, Math.min(Z.rows, D.rows, Q.rows));
    this.rowMajor(Z);
    this.rowMajor(D);
    const { a, g, activation } = params;
    if (!(a >= 0) || !(g >= 0 && g <= HALF_PI + 1e-4)) throw new RangeError(`neuronLayer: needs a >= 0 and 0 <= g <= pi/2, got a=${a} g=${g}`);
    const sg = Math.sin(g);
    const projective = isProjective(g);
    // The float32 screen needs 1/a as a finite float32; a below 1e-30 takes the float64 path.
    const mode = projective && n <= Q.cleanRows ? (a === 0 ? 0 : a >= 1e-30 ? 1 : 2) : 2;
    const cols = Q.cols;
    if (mode === 2 && Q.state === null) {
      Q.state = this.alloc(Q.rows * cols * 16);
      Q.blocks.push(Q.state);
    }
    const state = Q.state ? Q.state.at : 0;
    if (mode === 2 && Q.cleanRows > n) {
      // Rows [n, cleanRows) stay in a basis state but will no longer be marked clean: store it.
      this.lib.run(this.pool, Kernel.storeBasisStates, Q.cleanRows - n, 1, 1, this.pack([Q.m.at + n * cols, state + n * cols * 16, cols]), 3);
    }
    this.ensureScratch((cols + 256) * 4);
    this.run(
      "neuronLayer",
      [Z.at, Z.stride, cols, D.at, D.stride, Q.m.at, state, cols, mode, a, activation === "htanh" ? 1 : 0, g, Q.cleanRows,
        draw.seed >>> 0, draw.pass >>> 0, draw.layer >>> 0, draw.rowOffset >>> 0, sg],
      n, 1, n * cols * (mode === 0 ? 1 : mode === 1 ? 10 : 60),
    );
    D.version++;
    D.signsVersion = D.version;
    Q.cleanRows = projective ? Math.max(Q.cleanRows, n) : 0;
  }

  straightThrough(z: Tensor, dD: Tensor, dZ: Tensor, n: number): void {
    const Z = this.own(z), G = this.own(dD), O = this.own(dZ);
    if (Z.cols !== G.cols || Z.cols !== O.cols) throw new RangeError("straightThrough: shapes do not match");
    this.rowsCheck(n, Math.min(Z.rows, G.rows, O.rows));
    this.rowMajor(Z);
    this.rowMajor(G);
    this.rowMajor(O);
    const count = n * Z.stride;
    this.run("straightThrough", [Z.at, G.at, O.at], count, PAD, count);
    O.version++;
  }

  softmaxCrossEntropy(logits: Tensor, labels: Int32Array, dLogits: Tensor | null, n: number): LossResult {
    const L = this.own(logits), D = dLogits ? this.own(dLogits) : null;
    this.rowsCheck(n, L.rows);
    this.rowMajor(L);
    if (D) this.rowMajor(D);
    if (labels.length < n) throw new RangeError(`softmaxCrossEntropy: ${labels.length} labels for ${n} rows`);
    const f = L.f32;
    const C = L.cols;
    const e = new Float64Array(C);
    let loss = 0;
    for (let r = 0; r < n; r++) {
      const row = r * L.stride;
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, f[row + c]);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += e[c] = Math.exp(f[row + c] - max);
      loss += Math.log(sum) - (f[row + labels[r]] - max);
      if (D) {
        const out = r * D.stride;
        for (let c = 0; c < C; c++) D.f32[out + c] = (e[c] / sum - (c === labels[r] ? 1 : 0)) / n;
      }
    }
    if (D) D.version++;
    return { loss, predictions: this.argmax(logits, n) };
  }

  argmax(logits: Tensor, n: number): Int32Array {
    const L = this.own(logits);
    this.rowsCheck(n, L.rows);
    this.rowMajor(L);
    const f = L.f32;
    const out = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const row = r * L.stride;
      let best = 0;
      for (let c = 1; c < L.cols; c++) if (f[row + c] > f[row + best]) best = c;
      out[r] = best;
    }
    return out;
  }

  sgdStep(w: Tensor, grad: Tensor, velocity: Tensor, lr: number, momentum: number): void {
    // A gradient that linearBackward deferred is computed here, together with the update.
    const index = this.pending.findIndex((p) => p.dW === grad);
    const pending = index >= 0 ? this.pending.splice(index, 1)[0] : null;
    const W = this.own(w), G = this.own(grad), V = this.own(velocity);
    if (W.rows !== G.rows || W.cols !== G.cols || W.rows !== V.rows || W.cols !== V.cols) throw new RangeError("sgdStep: shapes do not match");
    // Elementwise over the storage: weight and velocity take the gradient's layout (once).
    this.setLayout(W, G.transposed, true);
    this.setLayout(V, G.transposed, true);
    if (pending && W.stride === G.stride && !pending.inputs.includes(W) && !pending.inputs.includes(V)) pending.compute({ w: W, v: V, lr, momentum });
    else {
      pending?.compute(null);
      const count = W.storage.bytes >> 2;
      this.run("sgd", [W.at, G.at, V.at, lr, momentum], count, PAD, count * 2);
    }
    W.version++;
    V.version++;
  }

  /**
   * dW for linearBackward, deferred: sgdStep computes it row by row together with the update
   * (gradientStep), while the rows are in the computing thread's cache. Any other use of dW, dY or
   * x first computes it on its own (own()), so nothing can observe the difference.
   */
  private deferGradient(G: NativeTensor, X: NativeTensor, DW: NativeTensor, n: number, hasDX: boolean): void {
    const out = DW.rows, K = DW.cols;
    let kernel: "gemmSign" | "gemmSparse";
    let total: number;
    let prepare: () => number[];
    if (X.signsVersion === X.version) {
      // x holds the +1/-1 outcomes of a neuron layer: dW^T[k, :] = sum_i x[i, k] dY[i, :] needs
      // only additions (gemmSign over the columns of x); the weight follows this layout in sgdStep.
      this.setLayout(DW, true, false);
      kernel = "gemmSign";
      total = K;
      prepare = () => {
        const words = (n + 31) >> 5;
        const masks = this.temp(0, K * words * 4);
        const colsum = this.temp(1, pad(out) * 4);
        this.run("signMasksT", [X.at, X.stride, n, K, masks.at], K, 16, n * K * 4);
        this.run("colSums", [G.at, G.stride, n, colsum.at, pad(out) / PAD, 0], pad(out) / PAD, 1, n * out);
        return [masks.at, 0, n, G.at, G.stride, pad(out), colsum.at, 0, DW.at, DW.stride, 0, 0, 0, 0];
      };
    } else if (hasDX) {
      // dW[o, :] = sum_i dY[i, o] x[i, :]: rows of x weighted by a column of dY (straight-through
      // gradients are mostly zeros).
      this.setLayout(DW, false, false);
      kernel = "gemmSparse";
      total = out;
      prepare = () => [G.at, 1, G.stride, n, X.at, X.stride, pad(K), 0, DW.at, DW.stride, 0, 0, 0, 0];
    } else {
      // No input gradient: the first layer. dW^T[k, :] = sum_i x[i, k] dY[i, :] skips the zero
      // inputs (MNIST pixels are ~80% zeros); the weight follows this layout in sgdStep.
      this.setLayout(DW, true, false);
      kernel = "gemmSparse";
      total = K;
      prepare = () => [X.at, 1, X.stride, n, G.at, G.stride, pad(out), 0, DW.at, DW.stride, 0, 0, 0, 0];
    }
    const work = kernel === "gemmSign" ? (n * K * out) / 2 : n * K * out;
    const scratch = ROW_BLOCK * (Math.max(n, out) * 8 + 64) + 256;
    const compute = (step: PendingStep | null): void => {
      this.ensureScratch(scratch);
      const args = prepare();
      if (step) this.run("gradientStep", [Kernel[kernel], ...args, step.w.at, step.v.at, step.lr, step.momentum], total, ROW_GRANULE, work);
      else this.run(kernel, args, total, ROW_GRANULE, work);
      DW.version++;
    };
    this.pending.push({ dW: DW, inputs: [G, X], compute });
  }

  /** Computes the deferred gradients that write or read `t` (before t is used). */
  private settle(t: NativeTensor): void {
    for (let i = 0; i < this.pending.length; ) {
      const p = this.pending[i];
      if (p.dW === t || p.inputs.includes(t)) {
        this.pending.splice(i, 1);
        p.compute(null);
      } else i++;
    }
  }

  // ----------------------------------------------------------------------------------------
  // Internals

  /**
   * Runs a kernel over [0, total) in chunks at multiples of `granule`. `work` estimates the job's
   * cost and alone (never the thread count) sets the number of chunks.
   */
  private run(kernel: KernelName, args: readonly number[], total: number, granule: number, work: number): number {
    const chunks = Math.max(1, Math.min(MAX_CHUNKS, Math.floor(work / MIN_CHUNK_WORK)));
    if (!this.kernelTimes) return this.lib.run(this.pool, Kernel[kernel], total, granule, chunks, this.pack(args), args.length);
    const t0 = performance.now(), c0 = process.cpuUsage();
    const r = this.lib.run(this.pool, Kernel[kernel], total, granule, chunks, this.pack(args), args.length);
    const c = process.cpuUsage(c0);
    const k = this.kernelTimes.get(kernel) ?? { calls: 0, wallMs: 0, cpuMs: 0 };
    k.calls++;
    k.wallMs += performance.now() - t0;
    k.cpuMs += (c.user + c.system) / 1000;
    this.kernelTimes.set(kernel, k);
    return r;
  }

  private pack(args: readonly number[]): Float64Array {
    for (let i = 0; i < args.length; i++) this.args[i] = args[i];
    return this.args;
  }

  private alloc(bytes: number): Block {
    const size = Math.max(bytes, 1);
    const buffer = this.lib.alloc(size);
    this.allocated += size;
    return { at: this.lib.address(buffer), bytes: size, buffer };
  }

  private freeBlock(b: Block): void {
    this.lib.detach(b.buffer);
    this.lib.free(b.at, b.bytes);
    this.allocated -= b.bytes;
  }

  /** The tensor as a row-major matrix: its storage, or a cached transposed copy. */
  private rowView(t: NativeTensor): View {
    return t.transposed ? this.otherLayout(t) : t;
  }

  /** The tensor's transpose as a row-major matrix ([cols, rows]): its storage, or a cached copy. */
  private colView(t: NativeTensor): View {
    return t.transposed ? t : this.otherLayout(t);
  }

  /** The storage transposed, recomputed when the tensor changed since the last use. */
  private otherLayout(t: NativeTensor): Derived {
    const [sRows, sCols] = t.transposed ? [t.cols, t.rows] : [t.rows, t.cols];
    let o = t.other;
    if (!o) {
      const stride = rowStride(sRows);
      const block = this.alloc(sCols * stride * 4);
      t.blocks.push(block);
      o = { at: block.at, stride, block, version: -1 };
      t.other = o;
    }
    if (o.version !== t.version) {
      this.run("transpose", [t.at, t.stride, sRows, sCols, o.at, o.stride], sCols, 16, sRows * sCols * 4);
      o.version = t.version;
    }
    return o;
  }

  /**
   * Column sums of the tensor (sums over rows of its transpose view T), one row per group of k of
   * a split product (see splitOverK), cached per version and split.
   */
  private colSums(t: NativeTensor, T: View, split: readonly number[] | null): number {
    let c = t.colsum;
    if (!c) {
      const block = this.alloc(SPLIT_GROUPS * pad(t.rows) * 4);
      t.blocks.push(block);
      c = { at: block.at, stride: 0, block, version: -1, split: "" };
      t.colsum = c;
    }
    const key = split ? split.join() : "";
    if (c.version !== t.version || c.split !== key) {
      const blocks = pad(t.rows) / PAD, groups = split ? split.length - 1 : 1;
      this.run("colSums", [T.at, T.stride, t.cols, c.at, blocks, ...(split ? [groups, ...split] : [0])], groups * blocks, 1, t.rows * t.cols);
      c.version = t.version;
      c.split = key;
    }
    return c.at;
  }

  /**
   * A product split over k: `kernel` with `args` (up to its output) and `tail` (after its output
   * stride) writes each group's sums into a temporary block, then sumGroups adds them (and the
   * bias) into y. Returns the kernel's result.
   */
  private runSplit(kernel: "gemmSign" | "gemmSparse", args: readonly number[], tail: readonly number[], split: readonly number[], Y: NativeTensor, B: NativeTensor | null, width: number, n: number, work: number): number {
    const groups = split.length - 1;
    const partial = this.temp(2, groups * n * Y.stride * 4);
    const r = this.run(kernel, [...args, partial.at, Y.stride, ...tail, n, groups, ...split], groups * n, ROW_GRANULE, work);
    this.run("sumGroups", [partial.at, Y.stride, n, groups, width, B ? B.at : 0, Y.at, Y.stride], n, ROW_GRANULE, n * width * groups);
    return r;
  }

  /** Operands that kernels read row by row must be stored row-major. */
  private rowMajor(t: NativeTensor): void {
    if (t.transposed) this.setLayout(t, false, true);
  }

  /** Switches the storage layout, keeping the contents when `keep` (else they are about to be overwritten). */
  private setLayout(t: NativeTensor, transposed: boolean, keep: boolean): void {
    if (t.transposed === transposed) return;
    const [sRows, sCols] = t.transposed ? [t.cols, t.rows] : [t.rows, t.cols];
    const old = t.storage, oldStride = t.stride;
    const stride = rowStride(sRows);
    const storage = this.alloc(sCols * stride * 4);
    if (keep) this.run("transpose", [old.at, oldStride, sRows, sCols, storage.at, stride], sCols, 16, sRows * sCols * 4);
    t.blocks[t.blocks.indexOf(old)] = storage;
    this.freeBlock(old);
    if (t.other) {
      // The cached copy has the old layout's shape: drop it.
      t.blocks.splice(t.blocks.indexOf(t.other.block), 1);
      this.freeBlock(t.other.block);
      t.other = null;
    }
    t.storage = storage;
    t.f32 = new Float32Array(storage.buffer);
    t.stride = stride;
    t.transposed = transposed;
    t.version++;
  }

  /** A reusable block of at least `bytes` bytes (slot `i`), shared by the threads within one operation. */
  private temp(i: number, bytes: number): Block {
    const cur = this.temps[i];
    if (cur && cur.bytes >= bytes) return cur;
    if (cur) this.freeBlock(cur);
    this.temps[i] = this.alloc(Math.max(bytes, cur ? cur.bytes * 2 : 0));
    return this.temps[i];
  }

  private ensureScratch(bytes: number): void {
    if (bytes <= this.scratchSize) return;
    this.scratchSize = Math.max(bytes, this.scratchSize * 2);
    this.lib.ensureScratch(this.pool, this.scratchSize);
  }

  private own(t: Tensor): NativeTensor {
    if (!(t instanceof NativeTensor) || t.owner !== this) {
      throw new CapabilityError("sim-native was given a tensor made by another backend; make tensors with the backend that uses them");
    }
    if (t.released) throw new CapabilityError("sim-native was given a tensor after release()");
    this.live();
    if (this.pending.length > 0) this.settle(t);
    return t;
  }

  private ownQubits(q: QubitRegister): NativeQubits {
    if (!(q instanceof NativeQubits) || q.owner !== this) throw new CapabilityError("sim-native was given a qubit register made by another backend");
    if (q.released) throw new CapabilityError("sim-native was given a qubit register after release()");
    this.live();
    return q;
  }

  private rowsCheck(n: number, rows: number): void {
    if (!(Number.isInteger(n) && n >= 0 && n <= rows)) throw new RangeError(`sim-native: n = ${n} rows, but the tensors have ${rows}`);
  }

  private live(): void {
    if (this.disposed) throw new CapabilityError("sim-native: the backend was disposed");
  }
}
