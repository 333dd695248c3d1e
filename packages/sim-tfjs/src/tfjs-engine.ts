import * as tf from "@tensorflow/tfjs";
import { CapabilityError, type DenseCapabilities, type DenseEngine, type LossResult, type Tensor, checkTensorShape, writtenRows } from "@natural-quantization/core";

/** A tensor of this engine: a float32 tf.Tensor2D, replaced (and the old one disposed) by every write. */
class TfTensor implements Tensor {
  readonly kind = "tensor";
  released = false;
  constructor(
    readonly owner: TfjsEngine,
    readonly rows: number,
    readonly cols: number,
    public value: tf.Tensor2D,
  ) {}
}

/**
 * A dense engine on TensorFlow.js: every operation is a few tf ops on float32 tensors that live
 * where the tf backend keeps them (JavaScript arrays on "cpu", GPU textures on "webgl"). Operations
 * only enqueue work; numbers come back through `read` (a promise, as tf's `data()`), and
 * softmaxCrossEntropy and argmax return promises, so the Trainer's asynchronous path is the one
 * used. `readSync` exists where tf can read without blocking a GPU (the "cpu" backend).
 * Dense only: it brings no qubit layer and borrows one (sim-cpu's) from the composer.
 */
export class TfjsEngine implements DenseEngine {
  readonly name = "sim-tfjs";
  readonly capabilities: DenseCapabilities = { training: true, threads: 1 };
  readonly readSync?: (t: Tensor, rows?: number) => Float32Array;
  private readonly live = new Set<TfTensor>();
  private disposed = false;

  /** Runs on tf's current backend (see createTfjsEngine for choosing it). */
  constructor() {
    if (tf.getBackend() === "cpu") {
      this.readSync = (t, rows) => {
        const part = this.rowsOf(this.own(t), rows);
        try {
          return Float32Array.from(part.dataSync()); // tf may hand out its own storage
        } finally {
          part.dispose();
        }
      };
    }
  }

  /** tf's backend the engine computes on ("cpu", "webgl", ...). */
  get backend(): string {
    return tf.getBackend();
  }

  tensor(rows: number, cols: number): Tensor {
    checkTensorShape("sim-tfjs", rows, cols);
    this.check();
    const t = new TfTensor(this, rows, cols, tf.zeros([rows, cols], "float32"));
    this.live.add(t);
    return t;
  }

  write(t: Tensor, data: Float32Array, rowOffset = 0): void {
    const w = this.own(t);
    const rows = writtenRows(w, data.length, rowOffset);
    // A copy: tf's cpu backend keeps the array it is given, and callers reuse theirs.
    const block = tf.tensor2d(data.slice(), [rows, w.cols], "float32");
    this.replaceRows(w, block, rowOffset);
  }

  async read(t: Tensor, rows?: number): Promise<Float32Array> {
    const part = this.rowsOf(this.own(t), rows);
    try {
      return Float32Array.from(await part.data()); // tf may hand out its own storage
    } finally {
      part.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.live) t.value.dispose();
    this.live.clear();
  }

  release(t: Tensor): void {
    const w = this.own(t, true);
    if (w.released) return;
    w.released = true;
    w.value.dispose();
    this.live.delete(w);
  }

  linear(x: Tensor, w: Tensor, b: Tensor | null, y: Tensor, n: number): void {
    const X = this.own(x), W = this.own(w), B = b ? this.own(b) : null, Y = this.own(y);
    this.rowsCheck(n, Math.min(X.rows, Y.rows));
    const out = tf.tidy(() => {
      const xy = tf.matMul(this.head(X, n), W.value, false, true);
      return B ? tf.add(xy, B.value) : xy;
    });
    this.replaceRows(Y, out as tf.Tensor2D, 0);
  }

  linearBackward(dY: Tensor, x: Tensor, w: Tensor, dX: Tensor | null, dW: Tensor, dB: Tensor | null, n: number): void {
    const G = this.own(dY), X = this.own(x), W = this.own(w), DW = this.own(dW);
    const DX = dX ? this.own(dX) : null, DB = dB ? this.own(dB) : null;
    this.rowsCheck(n, Math.min(G.rows, X.rows));
    this.replaceRows(DW, tf.tidy(() => tf.matMul(this.head(G, n), this.head(X, n), true, false)), 0);
    if (DB) this.replaceRows(DB, tf.tidy(() => tf.sum(this.head(G, n), 0, true)) as tf.Tensor2D, 0);
    if (DX) this.replaceRows(DX, tf.tidy(() => tf.matMul(this.head(G, n), W.value)), 0);
  }

  straightThrough(z: Tensor, dD: Tensor, dZ: Tensor, n: number): void {
    const Z = this.own(z), G = this.own(dD), O = this.own(dZ);
    this.rowsCheck(n, Math.min(Z.rows, G.rows, O.rows));
    const out = tf.tidy(() => tf.where(tf.less(tf.abs(this.head(Z, n)), 1), this.head(G, n), tf.zerosLike(this.head(G, n))));
    this.replaceRows(O, out as tf.Tensor2D, 0);
  }

  async softmaxCrossEntropy(logits: Tensor, labels: Int32Array, dLogits: Tensor | null, n: number): Promise<LossResult> {
    const L = this.own(logits), D = dLogits ? this.own(dLogits) : null;
    this.rowsCheck(n, L.rows);
    if (labels.length < n) throw new RangeError(`softmaxCrossEntropy: ${labels.length} labels for ${n} rows`);
    const [loss, predictions, grad] = tf.tidy(() => {
      const l = this.head(L, n);
      const onehot = tf.oneHot(tf.tensor1d(labels.subarray(0, n), "int32"), L.cols).toFloat();
      const logp = tf.logSoftmax(l);
      const lossSum = tf.neg(tf.sum(tf.mul(logp, onehot)));
      const g = D ? tf.div(tf.sub(tf.exp(logp), onehot), n) : null;
      return [lossSum, tf.argMax(l, 1), g] as const;
    });
    if (D && grad) this.replaceRows(D, grad as tf.Tensor2D, 0);
    try {
      const [lossValue, argmax] = await Promise.all([loss.data(), predictions.data()]);
      return { loss: lossValue[0], predictions: Int32Array.from(argmax) };
    } finally {
      loss.dispose();
      predictions.dispose();
    }
  }

  async argmax(logits: Tensor, n: number): Promise<Int32Array> {
    const L = this.own(logits);
    this.rowsCheck(n, L.rows);
    const best = tf.tidy(() => tf.argMax(this.head(L, n), 1));
    try {
      return Int32Array.from(await best.data());
    } finally {
      best.dispose();
    }
  }

  sgdStep(w: Tensor, grad: Tensor, velocity: Tensor, lr: number, momentum: number): void {
    const W = this.own(w), G = this.own(grad), V = this.own(velocity);
    const v = tf.tidy(() => tf.add(tf.mul(V.value, momentum), G.value)) as tf.Tensor2D;
    this.replaceRows(V, v, 0);
    this.replaceRows(W, tf.tidy(() => tf.sub(W.value, tf.mul(V.value, lr))) as tf.Tensor2D, 0);
  }

  /** The first n rows (a view the caller disposes inside tidy). */
  private head(t: TfTensor, n: number): tf.Tensor2D {
    return n === t.rows ? t.value : t.value.slice([0, 0], [n, t.cols]);
  }

  /** The first `rows` rows as a new tensor the caller disposes. */
  private rowsOf(t: TfTensor, rows = t.rows): tf.Tensor2D {
    if (!(Number.isInteger(rows) && rows >= 0 && rows <= t.rows)) throw new RangeError(`read of ${rows} rows from a ${t.rows}x${t.cols} tensor`);
    return t.value.slice([0, 0], [rows, t.cols]);
  }

  /** Rows [at, at + block.rows) of t become `block` (which t then owns); the old value is disposed. */
  private replaceRows(t: TfTensor, block: tf.Tensor2D, at: number): void {
    const rows = block.shape[0];
    if (at === 0 && rows === t.rows) {
      t.value.dispose();
      t.value = block;
      return;
    }
    const next = tf.tidy(() => {
      const parts: tf.Tensor2D[] = [];
      if (at > 0) parts.push(t.value.slice([0, 0], [at, t.cols]));
      parts.push(block);
      if (at + rows < t.rows) parts.push(t.value.slice([at + rows, 0], [t.rows - at - rows, t.cols]));
      return tf.concat(parts, 0);
    });
    block.dispose();
    t.value.dispose();
    t.value = next;
  }

  private own(t: Tensor, releasing = false): TfTensor {
    if (!(t instanceof TfTensor) || t.owner !== this) throw new CapabilityError("sim-tfjs was given a tensor made by another backend; make tensors with the backend that uses them");
    if (!releasing && t.released) throw new CapabilityError("sim-tfjs was given a tensor after release()");
    this.check();
    return t;
  }

  private check(): void {
    if (this.disposed) throw new CapabilityError("sim-tfjs: the engine was disposed");
  }

  private rowsCheck(n: number, rows: number): void {
    if (!(Number.isInteger(n) && n >= 0 && n <= rows)) throw new RangeError(`sim-tfjs: n = ${n} rows, but the tensors have ${rows}`);
  }
}

/**
 * An engine on tf backend `backend` (default: "cpu", pure JavaScript). tf's warnings (such as its
 * advice to install tfjs-node) are silenced with tf.enableProdMode().
 */
export async function createTfjsEngine(backend = "cpu"): Promise<TfjsEngine> {
  tf.enableProdMode();
  if (!(await tf.setBackend(backend))) throw new CapabilityError(`sim-tfjs: TensorFlow.js backend "${backend}" is not available here`);
  await tf.ready();
  return new TfjsEngine();
}
