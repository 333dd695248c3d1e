import {
  AngleRegister,
  CapabilityError,
  type Backend,
  type BackendCapabilities,
  type LossResult,
  type NeuronLayerParams,
  type QubitRegister,
  type RunContext,
  type Tensor,
} from "@natural-quantization/core";
import { Matrix } from "ml-matrix";
import { NeuronStepper } from "./neuron-steps.js";

/** A tensor of this backend: an ml-matrix Matrix (float64). */
class CpuTensor implements Tensor {
  readonly kind = "tensor";
  constructor(readonly m: Matrix) {}
  get rows(): number {
    return this.m.rows;
  }
  get cols(): number {
    return this.m.columns;
  }
}

function own(t: Tensor): Matrix {
  if (!(t instanceof CpuTensor)) throw new CapabilityError("sim-cpu was given a tensor made by another backend; make tensors with the backend that uses them");
  return t.m;
}

/** The first n rows of m (a copy when n < rows, m itself otherwise). */
function head(m: Matrix, n: number): Matrix {
  return n === m.rows ? m : m.subMatrix(0, n - 1, 0, m.columns - 1);
}

/**
 * The reference backend: ml-matrix for the linear algebra, the network's NeuronModel (any model)
 * for every neuron, float64 throughout. Obviously correct rather than fast; other backends are
 * held to it. It is a whole machine: `dense` and `qubits` are the backend itself.
 */
export class CpuBackend implements Backend {
  readonly name: string = "sim-cpu";
  readonly dense: CpuBackend = this;
  readonly qubits: CpuBackend = this;
  readonly capabilities: BackendCapabilities = {
    training: true,
    sampling: "exact",
    deterministic: true,
    maxQubits: null,
    noise: false,
    threads: 1,
  };
  private readonly stepper = new NeuronStepper();

  tensor(rows: number, cols: number): Tensor {
    return new CpuTensor(Matrix.zeros(rows, cols));
  }

  /** Values are stored as given (float32); computation is in float64. */
  write(t: Tensor, data: Float32Array, rowOffset = 0): void {
    const m = own(t);
    const rows = data.length / m.columns;
    if (!Number.isInteger(rows) || rowOffset + rows > m.rows) {
      throw new RangeError(`write of ${data.length} values at row ${rowOffset} does not fit a ${m.rows}x${m.columns} tensor`);
    }
    for (let r = 0; r < rows; r++) for (let c = 0; c < m.columns; c++) m.set(rowOffset + r, c, data[r * m.columns + c]);
  }

  readSync(t: Tensor, rows?: number): Float32Array {
    const m = own(t);
    return Float32Array.from(head(m, rows ?? m.rows).to1DArray());
  }

  async read(t: Tensor, rows?: number): Promise<Float32Array> {
    return this.readSync(t, rows);
  }

  qubitRegister(rows: number, cols: number): QubitRegister {
    return new AngleRegister(this, rows, cols);
  }

  resetQubits(q: QubitRegister, n: number): void {
    AngleRegister.of(q, this, "sim-cpu").reset(n);
  }

  dispose(): void {}

  linear(x: Tensor, w: Tensor, b: Tensor | null, y: Tensor, n: number): void {
    const out = head(own(x), n).mmul(own(w).transpose());
    if (b) out.addRowVector(own(b));
    own(y).setSubMatrix(out, 0, 0);
  }

  linearBackward(dY: Tensor, x: Tensor, w: Tensor, dX: Tensor | null, dW: Tensor, dB: Tensor | null, n: number): void {
    const g = head(own(dY), n);
    own(dW).setSubMatrix(g.transpose().mmul(head(own(x), n)), 0, 0);
    if (dB) own(dB).setRow(0, g.sum("column"));
    if (dX) own(dX).setSubMatrix(g.mmul(own(w)), 0, 0);
  }

  /** Any neuron model, through its interface, on the float64 z of the tensor. */
  neuronLayer(z: Tensor, q: QubitRegister, d: Tensor, params: NeuronLayerParams, run: RunContext, n: number): void {
    const zm = own(z), dm = own(d), reg = AngleRegister.of(q, this, "sim-cpu");
    const out = this.stepper.step(params, reg, head(zm, n).to1DArray(), run, n);
    for (let r = 0; r < n; r++) for (let j = 0; j < zm.columns; j++) dm.set(r, j, out[r * zm.columns + j]);
  }

  straightThrough(z: Tensor, dD: Tensor, dZ: Tensor, n: number): void {
    const zm = own(z), gm = own(dD), out = own(dZ);
    for (let r = 0; r < n; r++) for (let j = 0; j < zm.columns; j++) out.set(r, j, Math.abs(zm.get(r, j)) < 1 ? gm.get(r, j) : 0);
  }

  softmaxCrossEntropy(logits: Tensor, labels: Int32Array, dLogits: Tensor | null, n: number): LossResult {
    const lm = own(logits);
    const dm = dLogits ? own(dLogits) : null;
    let loss = 0;
    for (let r = 0; r < n; r++) {
      const row = lm.getRow(r);
      const max = Math.max(...row);
      const e = row.map((v) => Math.exp(v - max));
      const sum = e.reduce((s, v) => s + v, 0);
      loss += Math.log(sum) - (row[labels[r]] - max);
      if (dm) e.forEach((v, c) => dm.set(r, c, (v / sum - (c === labels[r] ? 1 : 0)) / n));
    }
    return { loss, predictions: this.argmax(logits, n) };
  }

  argmax(logits: Tensor, n: number): Int32Array {
    const lm = own(logits);
    const out = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let c = 1; c < lm.columns; c++) if (lm.get(r, c) > lm.get(r, best)) best = c;
      out[r] = best;
    }
    return out;
  }

  sgdStep(w: Tensor, grad: Tensor, velocity: Tensor, lr: number, momentum: number): void {
    const v = own(velocity).mul(momentum).add(own(grad));
    // Parameters are float32 at the boundary: keep them representable so a run resumed from a
    // checkpoint continues bit for bit.
    v.apply((r, c) => v.set(r, c, Math.fround(v.get(r, c))));
    const wm = own(w).sub(Matrix.mul(v, lr));
    wm.apply((r, c) => wm.set(r, c, Math.fround(wm.get(r, c))));
  }
}
