import {
  CapabilityError,
  ConfigError,
  HALF_PI,
  isBuiltinNeuron,
  isProjective,
  type Backend,
  type BackendCapabilities,
  type BackendOptions,
  type LossResult,
  type NeuronLayerParams,
  type QubitRegister,
  type RunContext,
  type Tensor,
  checkTensorShape,
  writtenRows,
} from "@natural-quantization/core";
import { Heap } from "./heap.js";
import { INITIAL_PAGES, MAXIMUM_PAGES, NeuronMode, instantiate, kernelModule, type KernelExports } from "./kernels.js";
import { hostCores, Pool, type SpawnWorker } from "./pool.js";

/** Options of the sim-wasm backend. */
export interface WasmBackendOptions extends BackendOptions {
  /** Threads: the main thread and `threads - 1` workers (any count >= 1; default: os.availableParallelism()). */
  readonly threads?: number;
  /**
   * Update a sign-input layer from the flips of its input since the previous call instead of
   * recomputing it (k-shot evaluation: consecutive shots differ in few neurons). Default true.
   */
  readonly incremental?: boolean;
  /** The compiled kernels (default: dist/kernels.wasm read from disk in Node; a browser fetches it, see browser.ts). */
  readonly module?: WebAssembly.Module;
  /** Starts the helper threads (default: Node worker_threads; a browser passes Web Workers, see browser.ts). */
  readonly spawnWorker?: SpawnWorker;
}

/** Allocations of a tensor, freed together when the tensor is collected. */
type Blocks = Array<[at: number, size: number]>;

/** Where the last sign-input product into a tensor came from (for incremental updates). */
interface SignState {
  readonly masks: number; // rows x words uint32: the saved input sign bits
  readonly words: number;
  w: WasmTensor | null;
  wVersion: number;
  b: WasmTensor | null;
  bVersion: number;
  yVersion: number;
  rows: number;
}

/** A matrix in memory: row-major from ptr, `stride` floats between rows. */
interface View {
  ptr: number;
  stride: number;
}

/** A copy of a tensor in its other layout (or its column sums), as of `version` of the tensor. */
interface Derived extends View {
  version: number;
}

/**
 * A float32 matrix in WebAssembly memory. Its storage is row-major ([rows, cols]) or, when
 * `transposed`, column-major ([cols, rows]): weight gradients are computed as dW^T where that is
 * cheaper (first layer: zero pixels are skipped; layers fed by neuron outcomes: additions only),
 * and the weights follow them, which also suits the forward pass (it reads W^T). Rows of the
 * storage are padded to a multiple of 4 floats (see rowStride) and the padding is always zero.
 */
export class WasmTensor implements Tensor {
  readonly kind = "tensor";
  /** Storage: address, floats between storage rows, storage layout. */
  ptr: number;
  stride: number;
  transposed = false;
  /** Bumped by every write, so caches derived from the tensor know when they are stale. */
  version = 0;
  released = false;
  /** Caches derived from the contents: the other layout, column sums, look-up tables. */
  other: Derived | null = null;
  colsum: Derived | null = null;
  table: Derived | null = null;
  /** Set when the tensor is the output of a sign-input product (incremental updates). */
  sign: SignState | null = null;
  /** `version` at which a neuron layer wrote +1/-1 outcomes into the tensor (-1: never). */
  signsVersion = -1;

  constructor(
    readonly owner: WasmBackend,
    readonly rows: number,
    readonly cols: number,
    ptr: number,
    readonly blocks: Blocks,
  ) {
    this.ptr = ptr;
    this.stride = rowStride(cols);
  }

  /** Bytes of storage. */
  get bytes(): number {
    return this.transposed ? this.cols * rowStride(this.rows) * 4 : this.rows * rowStride(this.cols) * 4;
  }
}

class WasmQubits implements QubitRegister {
  readonly kind = "qubits";
  /** Leading rows known to be in a basis state (alpha 0 or pi): the projective fast path applies. */
  cleanRows = 0;
  /**
   * The states (cos(alpha/2), sin(alpha/2)) as float64 pairs, allocated when a non-projective
   * layer first needs them (0 until then).
   */
  state = 0;
  released = false;
  constructor(
    readonly owner: WasmBackend,
    readonly rows: number,
    readonly cols: number,
    readonly m: number,
    readonly blocks: Blocks,
  ) {}
}

const SCRATCH_MIN = 1 << 16;
/** Sign-input products of at least this many rows use look-up tables (assembly: signTables). */
const TABLE_ROWS = 16;
/** Rows per block of gemmSignTable (assembly: BLOCK). */
const BLOCK_ROWS = 32;
/** Relative work of one neuron in each mode (the pool's chunking estimate): a sign, a float32 draw, the float64 update. */
const NEURON_WORK: Readonly<Record<NeuronMode, number>> = { [NeuronMode.Sign]: 1, [NeuronMode.BasisState]: 10, [NeuronMode.General]: 60 };

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * Floats between the starts of two rows: a whole number of vectors, and for wide rows whose
 * length is a multiple of 256 bytes one cache line more, so that the same column of consecutive
 * rows does not fall into the same L1 cache set (kernels read columns of many rows at once).
 */
export function rowStride(cols: number): number {
  const s = pad4(cols);
  return s >= 256 && s % 64 === 0 ? s + 16 : s;
}

/**
 * The WebAssembly backend: float32 tensors in one shared WebAssembly.Memory, SIMD kernels
 * compiled from assembly/kernels.ts, float64 neuron physics, any number of threads (src/pool.ts).
 */
export class WasmBackend implements Backend {
  readonly name = "sim-wasm";
  /** A whole machine: dense engine and exact qubit layer are the backend itself. */
  readonly dense: WasmBackend = this;
  readonly qubits: WasmBackend = this;
  readonly capabilities: BackendCapabilities;
  private readonly k: KernelExports;
  private readonly heap: Heap;
  private readonly pool: Pool;
  private readonly incremental: boolean;
  private readonly registry: FinalizationRegistry<Blocks>;
  /** One private scratch area per thread (kernels keep row lists and partial sums there). */
  private scratch: number[] = [];
  private scratchSize = 0;
  private temps: Array<[at: number, size: number]> = [];
  private disposed = false;
  /** Rows of sign-input products computed so far, and how many of them were updated from their input's flips. */
  readonly stats = { signRows: 0, updatedRows: 0 };

  constructor(options: WasmBackendOptions = {}) {
    const threads = options.threads ?? hostCores();
    if (!Number.isInteger(threads) || threads < 1) throw new ConfigError("sim-wasm threads", options.threads, "an integer >= 1");
    this.incremental = options.incremental ?? true;
    const module = options.module ?? kernelModule();
    const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
    this.k = instantiate(module, memory);
    this.heap = new Heap(this.k.heapBase(), memory);
    this.pool = new Pool(this.k, module, memory, threads, options.spawnWorker);
    this.capabilities = { training: true, sampling: "exact", deterministic: true, maxQubits: null, noise: false, threads };
    const heap = this.heap;
    this.registry = new FinalizationRegistry((blocks: Blocks) => {
      for (const [at, size] of blocks) heap.release(at, size);
    });
    this.ensureScratch(SCRATCH_MIN);
  }

  /** Waits (at most `ms`) until every worker thread is ready; returns whether they all are. */
  waitForThreads(ms = 10_000): boolean {
    return this.pool.waitReady(ms);
  }

  /** Bytes of WebAssembly memory in use (its current size). */
  get memoryBytes(): number {
    return this.heap.bytes;
  }

  // ----------------------------------------------------------------------------------------
  // Buffers

  tensor(rows: number, cols: number): Tensor {
    this.live();
    checkTensorShape("sim-wasm", rows, cols);
    const size = rows * rowStride(cols) * 4;
    const ptr = this.heap.alloc(size);
    const blocks: Blocks = [[ptr, size]];
    const t = new WasmTensor(this, rows, cols, ptr, blocks);
    this.registry.register(t, blocks, t);
    return t;
  }

  write(t: Tensor, data: Float32Array, rowOffset = 0): void {
    const w = this.own(t);
    const rows = writtenRows(w, data.length, rowOffset);
    const heap = this.heap.f32;
    const base = w.ptr >> 2;
    if (w.transposed) {
      for (let r = 0; r < rows; r++) for (let c = 0; c < w.cols; c++) heap[base + c * w.stride + rowOffset + r] = data[r * w.cols + c];
    } else if (w.stride === w.cols) heap.set(data, base + rowOffset * w.stride);
    else for (let r = 0; r < rows; r++) heap.set(data.subarray(r * w.cols, (r + 1) * w.cols), base + (rowOffset + r) * w.stride);
    w.version++;
  }

  async read(t: Tensor, rows?: number): Promise<Float32Array> {
    return this.readSync(t, rows);
  }

  readSync(t: Tensor, rows?: number): Float32Array {
    const w = this.own(t);
    const n = rows ?? w.rows;
    if (!(Number.isInteger(n) && n >= 0 && n <= w.rows)) throw new RangeError(`read of ${n} rows from a ${w.rows}x${w.cols} tensor`);
    const heap = this.heap.f32;
    const base = w.ptr >> 2;
    if (!w.transposed && w.stride === w.cols) return heap.slice(base, base + n * w.cols);
    const out = new Float32Array(n * w.cols);
    if (w.transposed) {
      for (let r = 0; r < n; r++) for (let c = 0; c < w.cols; c++) out[r * w.cols + c] = heap[base + c * w.stride + r];
    } else {
      for (let r = 0; r < n; r++) out.set(heap.subarray(base + r * w.stride, base + r * w.stride + w.cols), r * w.cols);
    }
    return out;
  }

  qubitRegister(rows: number, cols: number): QubitRegister {
    this.live();
    const mSize = rows * cols;
    const m = this.heap.alloc(mSize);
    const blocks: Blocks = [[m, mSize]];
    const q = new WasmQubits(this, rows, cols, m, blocks);
    this.registry.register(q, blocks, q);
    // A fresh register is in the start state.
    new Int8Array(this.heap.memory.buffer, m, mSize).fill(1);
    q.cleanRows = rows;
    return q;
  }

  release(t: Tensor | QubitRegister): void {
    if (!(t instanceof WasmTensor || t instanceof WasmQubits) || t.owner !== this) {
      throw new CapabilityError("sim-wasm was asked to release a tensor made by another backend");
    }
    if (t.released) return;
    t.released = true;
    this.registry.unregister(t);
    for (const [at, size] of t.blocks) this.heap.release(at, size);
    t.blocks.length = 0;
  }

  resetQubits(q: QubitRegister, n: number): void {
    const r = this.ownQubits(q);
    this.rowsCheck(n, r.rows);
    this.pool.run("resetQubits", [r.m, r.cols], n, 1, n * r.cols);
    r.cleanRows = Math.max(r.cleanRows, n);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool.close();
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
    const K = W.cols, nv = pad4(W.rows) >> 2;
    if (signInput) {
      const words = (K + 31) >> 5;
      let s = Y.sign;
      if (!s || s.words !== words) {
        const size = Y.rows * words * 4;
        const masks = this.heap.alloc(size);
        Y.blocks.push([masks, size]);
        s = { masks, words, w: null, wVersion: -1, b: null, bVersion: -1, yVersion: -1, rows: 0 };
        Y.sign = s;
      }
      const valid = this.incremental && s.w === W && s.wVersion === W.version && s.b === B && s.bVersion === (B ? B.version : -1) && s.yVersion === Y.version;
      const incRows = valid ? Math.min(n, s.rows) : 0;
      this.ensureScratch(64 + words * 4 + K * 8 + nv * 16 + 64);
      let updated: number;
      // Tables cost about as much as 16 rows of look-ups: worth it for batches, kept per weight version.
      if (n >= TABLE_ROWS || (W.table && W.table.version === W.version)) {
        const table = this.signTable(W, T);
        const chunks = (K + 3) >> 2;
        this.ensureScratch(K * 8 + BLOCK_ROWS * (words + chunks + 1) * 4 + 512);
        updated = this.pool.run("gemmSignTable", [X.ptr, X.stride, K, table, nv, B ? B.ptr : 0, Y.ptr, Y.stride, T.ptr, T.stride, s.masks, incRows], n, BLOCK_ROWS, n * K * W.rows / 4, this.scratch);
      } else {
        const colsum = this.colSums(W, T);
        updated = this.pool.run("gemmSign", [X.ptr, X.stride, K, T.ptr, T.stride, nv, colsum, B ? B.ptr : 0, Y.ptr, Y.stride, s.masks, incRows], n, 1, n * K * W.rows, this.scratch);
      }
      this.stats.updatedRows += updated;
      this.stats.signRows += n;
      Y.version++;
      s.w = W; s.wVersion = W.version; s.b = B; s.bVersion = B ? B.version : -1; s.yVersion = Y.version;
      s.rows = valid ? Math.max(n, s.rows) : n;
    } else {
      this.ensureScratch(64 + K * 8);
      this.pool.run("gemmSparse", [X.ptr, X.stride, 1, K, T.ptr, T.stride, nv, B ? B.ptr : 0, Y.ptr, Y.stride], n, 1, n * K * W.rows, this.scratch);
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
    this.ensureScratch(64 + Math.max(n, out, K) * 8);
    if (X.signsVersion === X.version) {
      // x holds the +1/-1 outcomes of a neuron layer: dW^T[k, :] = sum_i x[i, k] dY[i, :] needs
      // only additions (gemmSign over the columns of x); the weight follows this layout in sgdStep.
      this.setLayout(DW, true, false);
      const words = (n + 31) >> 5;
      const masks = this.temp(0, K * words * 4);
      const colsum = this.temp(1, pad4(out) * 4 + 16);
      this.pool.run("signMasksT", [X.ptr, X.stride, n, K, masks], K, 1, n * K * 8); // strided scalar reads: ~10x the cost per element of a product
      this.k.rowSums(G.ptr, G.stride, n, colsum, 0, pad4(out) >> 2);
      this.ensureScratch(128 + words * 4 + n * 8 + pad4(out) * 4);
      this.pool.run("gemmSign", [masks, 0, n, G.ptr, G.stride, pad4(out) >> 2, colsum, 0, DW.ptr, DW.stride, 0, 0], K, 1, n * K * out / 2, this.scratch);
    } else if (DX) {
      // dW[o, :] = sum_i dY[i, o] x[i, :]: rows of x weighted by a column of dY (straight-through
      // gradients are mostly zeros).
      this.setLayout(DW, false, false);
      this.pool.run("gemmSparse", [G.ptr, 1, G.stride, n, X.ptr, X.stride, pad4(K) >> 2, 0, DW.ptr, DW.stride], out, 1, n * K * out, this.scratch);
    } else {
      // No input gradient: the first layer. dW^T[k, :] = sum_i x[i, k] dY[i, :] skips the zero
      // inputs (MNIST pixels are ~80% zeros); the weight follows this layout in sgdStep.
      this.setLayout(DW, true, false);
      this.pool.run("gemmSparse", [X.ptr, 1, X.stride, n, G.ptr, G.stride, pad4(out) >> 2, 0, DW.ptr, DW.stride], K, 1, n * K * out, this.scratch);
    }
    DW.version++;
    if (DB) {
      this.rowMajor(DB);
      this.k.rowSums(G.ptr, G.stride, n, DB.ptr, 0, pad4(out) >> 2);
      DB.version++;
    }
    if (DX) {
      // dX[i, :] = sum_o dY[i, o] W[o, :].
      this.rowMajor(DX);
      const R = this.rowView(W);
      this.pool.run("gemmSparse", [G.ptr, G.stride, 1, out, R.ptr, R.stride, pad4(K) >> 2, 0, DX.ptr, DX.stride], n, 1, n * K * out, this.scratch);
      DX.version++;
    }
  }

  // ----------------------------------------------------------------------------------------
  // Neurons, loss, optimizer

  /** The built-in neuron model only, in the kernels (assembly/neuron.ts); another model is refused. */
  neuronLayer(z: Tensor, q: QubitRegister, d: Tensor, params: NeuronLayerParams, draw: RunContext, n: number): void {
    if (!isBuiltinNeuron(params.model)) {
      throw new CapabilityError(`sim-wasm runs only the built-in neuron model "qubit" in its kernels, not "${params.model.name}"; run that model on sim-cpu`);
    }
    const Z = this.own(z), D = this.own(d), Q = this.ownQubits(q);
    if (Z.cols !== Q.cols || D.cols !== Q.cols) throw new RangeError("neuronLayer: z, d and the register must have the same columns");
    this.rowsCheck(n, Math.min(Z.rows, D.rows, Q.rows));
    this.rowMajor(Z);
    this.rowMajor(D);
    const { a, g, activation } = params;
    if (!(a >= 0) || !(g >= 0 && g <= HALF_PI + 1e-4)) throw new RangeError(`neuronLayer: needs a >= 0 and 0 <= g <= pi/2, got a=${a} g=${g}`);
    const projective = isProjective(g);
    // The float32 screen needs 1/a as a finite float32; a below 1e-30 takes the float64 path.
    const mode: NeuronMode = projective && n <= Q.cleanRows ? (a === 0 ? NeuronMode.Sign : a >= 1e-30 ? NeuronMode.BasisState : NeuronMode.General) : NeuronMode.General;
    const cols = Q.cols;
    if (mode === NeuronMode.General && Q.state === 0) {
      const size = Q.rows * cols * 16;
      Q.state = this.heap.alloc(size);
      Q.blocks.push([Q.state, size]);
    }
    if (mode === NeuronMode.General && Q.cleanRows > n) {
      // Rows [n, cleanRows) stay in a basis state but will no longer be marked clean: store it.
      this.k.storeBasisStates(Q.m, Q.state, cols, n, Q.cleanRows);
    }
    this.ensureScratch(128 + ((cols + 31) & ~31) * 4);
    this.pool.run(
      "neuronLayer",
      [Z.ptr, Z.stride, cols, D.ptr, D.stride, Q.m, Q.state, cols, mode, a, activation === "htanh" ? 1 : 0, g, Q.cleanRows,
        draw.seed >>> 0, draw.pass >>> 0, draw.layer >>> 0, draw.rowOffset >>> 0],
      n, 1, n * cols * NEURON_WORK[mode], this.scratch,
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
    this.pool.run("straightThrough", [Z.ptr, G.ptr, O.ptr], count, 4, count);
    O.version++;
  }

  softmaxCrossEntropy(logits: Tensor, labels: Int32Array, dLogits: Tensor | null, n: number): LossResult {
    const L = this.own(logits), D = dLogits ? this.own(dLogits) : null;
    this.rowsCheck(n, L.rows);
    this.rowMajor(L);
    if (D) this.rowMajor(D);
    if (labels.length < n) throw new RangeError(`softmaxCrossEntropy: ${labels.length} labels for ${n} rows`);
    const heap = this.heap.f32;
    const C = L.cols;
    const e = new Float64Array(C);
    let loss = 0;
    for (let r = 0; r < n; r++) {
      const row = (L.ptr >> 2) + r * L.stride;
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, heap[row + c]);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += e[c] = Math.exp(heap[row + c] - max);
      loss += Math.log(sum) - (heap[row + labels[r]] - max);
      if (D) {
        const out = (D.ptr >> 2) + r * D.stride;
        for (let c = 0; c < C; c++) heap[out + c] = (e[c] / sum - (c === labels[r] ? 1 : 0)) / n;
      }
    }
    if (D) D.version++;
    return { loss, predictions: this.argmax(logits, n) };
  }

  argmax(logits: Tensor, n: number): Int32Array {
    const L = this.own(logits);
    this.rowsCheck(n, L.rows);
    this.rowMajor(L);
    const heap = this.heap.f32;
    const out = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const row = (L.ptr >> 2) + r * L.stride;
      let best = 0;
      for (let c = 1; c < L.cols; c++) if (heap[row + c] > heap[row + best]) best = c;
      out[r] = best;
    }
    return out;
  }

  sgdStep(w: Tensor, grad: Tensor, velocity: Tensor, lr: number, momentum: number): void {
    const W = this.own(w), G = this.own(grad), V = this.own(velocity);
    if (W.rows !== G.rows || W.cols !== G.cols || W.rows !== V.rows || W.cols !== V.cols) throw new RangeError("sgdStep: shapes do not match");
    // Elementwise over the storage: weight and velocity take the gradient's layout (once).
    this.setLayout(W, G.transposed, true);
    this.setLayout(V, G.transposed, true);
    const count = W.bytes >> 2;
    this.pool.run("sgd", [W.ptr, G.ptr, V.ptr, lr, momentum], count, 4, count * 2);
    W.version++;
    V.version++;
  }

  // ----------------------------------------------------------------------------------------
  // Internals

  /** The tensor as a row-major matrix: its storage, or a cached transposed copy. */
  private rowView(t: WasmTensor): View {
    return t.transposed ? this.otherLayout(t) : t;
  }

  /** The tensor's transpose as a row-major matrix ([cols, rows]): its storage, or a cached copy. */
  private colView(t: WasmTensor): View {
    return t.transposed ? t : this.otherLayout(t);
  }

  /** The storage transposed, recomputed when the tensor changed since the last use. */
  private otherLayout(t: WasmTensor): Derived {
    const [sRows, sCols] = t.transposed ? [t.cols, t.rows] : [t.rows, t.cols];
    let o = t.other;
    if (!o) {
      const stride = rowStride(sRows);
      const size = sCols * stride * 4;
      const ptr = this.heap.alloc(size);
      t.blocks.push([ptr, size]);
      o = { ptr, stride, version: -1 };
      t.other = o;
    }
    if (o.version !== t.version) {
      this.pool.run("transpose", [t.ptr, t.stride, sRows, sCols, o.ptr, o.stride], pad4(sCols), 4, sRows * sCols);
      o.version = t.version;
    }
    return o;
  }

  /** Look-up tables of W^T for +1/-1 inputs (signTables), cached per version of W. */
  private signTable(W: WasmTensor, T: View): number {
    const K = W.cols, nv = pad4(W.rows) >> 2;
    const tiles = Math.ceil(nv / 8);
    const bytes = tiles * ((K + 3) >> 2) * 2048;
    let t = W.table;
    if (!t) {
      const ptr = this.heap.alloc(bytes);
      W.blocks.push([ptr, bytes]);
      t = { ptr, stride: 0, version: -1 };
      W.table = t;
    }
    if (t.version !== W.version) {
      this.pool.run("signTables", [T.ptr, T.stride, K, nv, t.ptr], tiles, 1, K * W.rows * 4);
      t.version = W.version;
    }
    return t.ptr;
  }

  /** Column sums of the tensor (sums over rows of its transpose view T), cached per version. */
  private colSums(t: WasmTensor, T: View): number {
    let c = t.colsum;
    if (!c) {
      const size = pad4(t.cols > 0 ? t.rows : 0) * 4 + 16;
      const ptr = this.heap.alloc(size);
      t.blocks.push([ptr, size]);
      c = { ptr, stride: 0, version: -1 };
      t.colsum = c;
    }
    if (c.version !== t.version) {
      this.pool.run("colSums", [T.ptr, T.stride, t.cols, c.ptr], pad4(t.rows) >> 2, 1, t.rows * t.cols);
      c.version = t.version;
    }
    return c.ptr;
  }

  /** Operands that kernels read row by row must be stored row-major. */
  private rowMajor(t: WasmTensor): void {
    if (t.transposed) this.setLayout(t, false, true);
  }

  /** Switches the storage layout, keeping the contents when `keep` (else they are about to be overwritten). */
  private setLayout(t: WasmTensor, transposed: boolean, keep: boolean): void {
    if (t.transposed === transposed) return;
    const [sRows, sCols] = t.transposed ? [t.cols, t.rows] : [t.rows, t.cols];
    const oldPtr = t.ptr, oldStride = t.stride, oldBytes = t.bytes;
    const stride = rowStride(sRows);
    const bytes = sCols * stride * 4;
    const ptr = this.heap.alloc(bytes);
    if (keep) this.pool.run("transpose", [oldPtr, oldStride, sRows, sCols, ptr, stride], pad4(sCols), 4, sRows * sCols);
    const i = t.blocks.findIndex(([at]) => at === oldPtr);
    t.blocks[i] = [ptr, bytes];
    this.heap.release(oldPtr, oldBytes);
    if (t.other) {
      // The cached copy has the old layout's shape: drop it.
      const j = t.blocks.findIndex(([at]) => at === t.other!.ptr);
      this.heap.release(t.blocks[j][0], t.blocks[j][1]);
      t.blocks.splice(j, 1);
      t.other = null;
    }
    t.ptr = ptr;
    t.stride = stride;
    t.transposed = transposed;
    t.version++;
  }

  /** A reusable block of at least `bytes` bytes (slot `i`), shared by the threads within one operation. */
  private temp(i: number, bytes: number): number {
    const cur = this.temps[i];
    if (cur && cur[1] >= bytes) return cur[0];
    if (cur) this.heap.release(cur[0], cur[1]);
    const size = Math.max(bytes, cur ? cur[1] * 2 : 0);
    this.temps[i] = [this.heap.alloc(size), size];
    return this.temps[i][0];
  }

  private ensureScratch(bytes: number): void {
    if (bytes <= this.scratchSize) return;
    const size = Math.max(bytes, this.scratchSize * 2, SCRATCH_MIN);
    for (const at of this.scratch) this.heap.release(at, this.scratchSize);
    this.scratch = Array.from({ length: this.pool.threads }, () => this.heap.alloc(size));
    this.scratchSize = size;
  }

  private own(t: Tensor): WasmTensor {
    if (!(t instanceof WasmTensor) || t.owner !== this) {
      throw new CapabilityError("sim-wasm was given a tensor made by another backend; make tensors with the backend that uses them");
    }
    if (t.released) throw new CapabilityError("sim-wasm was given a tensor after release()");
    this.live();
    return t;
  }

  private ownQubits(q: QubitRegister): WasmQubits {
    if (!(q instanceof WasmQubits) || q.owner !== this) throw new CapabilityError("sim-wasm was given a qubit register made by another backend");
    if (q.released) throw new CapabilityError("sim-wasm was given a qubit register after release()");
    this.live();
    return q;
  }

  private rowsCheck(n: number, rows: number): void {
    if (!(Number.isInteger(n) && n >= 0 && n <= rows)) throw new RangeError(`sim-wasm: n = ${n} rows, but the tensors have ${rows}`);
  }

  private live(): void {
    if (this.disposed) throw new CapabilityError("sim-wasm: the backend was disposed");
  }
}
