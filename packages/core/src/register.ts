import type { QubitRegister } from "./backend.js";
import { CapabilityError } from "./errors.js";

/**
 * A qubit register kept in JavaScript as each qubit's angle alpha and last outcome m: the state
 * of a qubit neuron between layers (pure, real amplitudes cos(alpha/2), sin(alpha/2)). Qubit
 * layers that hold their state on the host (sim-cpu, the hardware layer) share it; `owner` is the
 * layer that made it, which refuses another layer's register.
 */
export class AngleRegister implements QubitRegister {
  readonly kind = "qubits";
  readonly alpha: Float64Array;
  readonly m: Int8Array;

  constructor(
    readonly owner: object,
    readonly rows: number,
    readonly cols: number,
  ) {
    this.alpha = new Float64Array(rows * cols);
    this.m = new Int8Array(rows * cols).fill(1);
  }

  /** The first n rows in the start state (alpha = 0, m = +1). */
  reset(n: number): void {
    this.alpha.fill(0, 0, n * this.cols);
    this.m.fill(1, 0, n * this.cols);
  }

  /** `q` as a register of `owner` (named `who` in the error otherwise). */
  static of(q: QubitRegister, owner: object, who: string): AngleRegister {
    if (!(q instanceof AngleRegister) || q.owner !== owner) throw new CapabilityError(`${who} was given a qubit register made by another qubit layer; make registers with the layer that uses them`);
    return q;
  }
}
