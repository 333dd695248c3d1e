/**
 * A small state-vector simulator of IonQ's JSON circuits, written from IonQ's published gate
 * definitions (docs.ionq.com, "Getting started with native gates"; phases and angles in turns):
 *   GPI(p)  = [[0, e^{-i 2pi p}], [e^{i 2pi p}, 0]]
 *   GPI2(p) = [[1, -i e^{-i 2pi p}], [-i e^{i 2pi p}, 1]] / sqrt 2
 *   MS(p0, p1, t = 0.25) = [[c, 0, 0, -i e^{-i 2pi (p0 + p1)} s], [0, c, -i e^{-i 2pi (p0 - p1)} s, 0],
 *                           [0, -i e^{i 2pi (p0 - p1)} s, c, 0], [-i e^{i 2pi (p0 + p1)} s, 0, 0, c]],
 *   c = cos(pi t), s = sin(pi t), in the basis |x0 x1> with x0 the first of `targets` (left bit);
 * and the qis gates (rotations in radians): rx, ry, rz, h, x, v (sqrt X), vi, cnot.
 * Independent of the code under test (which derives its gate sequences elsewhere); used by the
 * IonQ test server and by the compilation tests. Qubits that never interact are simulated apart.
 */

type C = readonly [number, number];
type M2 = readonly [C, C, C, C];

export type TestIonqGate = {
  readonly gate: string;
  readonly target?: number;
  readonly targets?: readonly number[];
  readonly control?: number;
  readonly phase?: number;
  readonly phases?: readonly number[];
  readonly angle?: number;
  readonly rotation?: number;
};

const cis = (x: number): C => [Math.cos(x), Math.sin(x)];
const mul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const scale = (a: C, s: number): C => [a[0] * s, a[1] * s];
const R = Math.SQRT1_2;
const TAU = 2 * Math.PI;
const negI: C = [0, -1];

function gpi(p: number): M2 {
  return [[0, 0], cis(-TAU * p), cis(TAU * p), [0, 0]];
}
function gpi2(p: number): M2 {
  return [[R, 0], scale(mul(negI, cis(-TAU * p)), R), scale(mul(negI, cis(TAU * p)), R), [R, 0]];
}
function rot(axis: "x" | "y" | "z", theta: number): M2 {
  const c = Math.cos(theta / 2), s = Math.sin(theta / 2);
  if (axis === "x") return [[c, 0], [0, -s], [0, -s], [c, 0]];
  if (axis === "y") return [[c, 0], [-s, 0], [s, 0], [c, 0]];
  return [cis(-theta / 2), [0, 0], [0, 0], cis(theta / 2)];
}
const H: M2 = [[R, 0], [R, 0], [R, 0], [-R, 0]];
const X: M2 = [[0, 0], [1, 0], [1, 0], [0, 0]];
const V: M2 = [[0.5, 0.5], [0.5, -0.5], [0.5, -0.5], [0.5, 0.5]];
const VI: M2 = [[0.5, -0.5], [0.5, 0.5], [0.5, 0.5], [0.5, -0.5]];

/** 4x4 row-major, basis index (x_first << 1) | x_second. */
function ms(p0: number, p1: number, t = 0.25): C[] {
  const c: C = [Math.cos(Math.PI * t), 0];
  const s = Math.sin(Math.PI * t);
  const z: C = [0, 0];
  const off = (phi: number): C => scale(mul(negI, cis(phi)), s);
  return [c, z, z, off(-TAU * (p0 + p1)), z, c, off(-TAU * (p0 - p1)), z, z, off(TAU * (p0 - p1)), c, z, off(TAU * (p0 + p1)), z, z, c];
}
const CNOT: C[] = (() => {
  const m: C[] = Array.from({ length: 16 }, (): C => [0, 0]);
  // control = first (left) bit: |00>,|01> fixed, |10> <-> |11>.
  m[0] = [1, 0];
  m[5] = [1, 0];
  m[11] = [1, 0];
  m[14] = [1, 0];
  return m;
})();

/** A state of n qubits; amplitude index bit k is local qubit k. */
export class StateVector {
  readonly re: Float64Array;
  readonly im: Float64Array;
  constructor(readonly n: number) {
    this.re = new Float64Array(1 << n);
    this.im = new Float64Array(1 << n);
    this.re[0] = 1;
  }

  apply1(q: number, m: M2): void {
    const bit = 1 << q;
    for (let i = 0; i < this.re.length; i++) {
      if (i & bit) continue;
      const j = i | bit;
      const a: C = [this.re[i], this.im[i]], b: C = [this.re[j], this.im[j]];
      const x = add(mul(m[0], a), mul(m[1], b)), y = add(mul(m[2], a), mul(m[3], b));
      [this.re[i], this.im[i]] = x;
      [this.re[j], this.im[j]] = y;
    }
  }

  /** m in the basis (x_a << 1) | x_b. */
  apply2(a: number, b: number, m: readonly C[]): void {
    const ba = 1 << a, bb = 1 << b;
    for (let i = 0; i < this.re.length; i++) {
      if (i & ba || i & bb) continue;
      const idx = [i, i | bb, i | ba, i | ba | bb];
      const v = idx.map((k): C => [this.re[k], this.im[k]]);
      for (let r = 0; r < 4; r++) {
        let acc: C = [0, 0];
        for (let c = 0; c < 4; c++) acc = add(acc, mul(m[r * 4 + c], v[c]));
        [this.re[idx[r]], this.im[idx[r]]] = acc;
      }
    }
  }

  probabilities(): Float64Array {
    const p = new Float64Array(this.re.length);
    for (let i = 0; i < p.length; i++) p[i] = this.re[i] ** 2 + this.im[i] ** 2;
    return p;
  }
}

const add = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];

/** Applies one IonQ JSON gate to a state whose local qubit of global qubit g is local(g). */
export function applyIonqGate(state: StateVector, g: TestIonqGate, local: (q: number) => number): void {
  const t = g.target ?? g.targets?.[0];
  switch (g.gate) {
    case "gpi":
      return state.apply1(local(t!), gpi(g.phase!));
    case "gpi2":
      return state.apply1(local(t!), gpi2(g.phase!));
    case "ms":
      return state.apply2(local(g.targets![0]), local(g.targets![1]), ms(g.phases![0], g.phases![1], g.angle ?? 0.25));
    case "rx":
    case "ry":
    case "rz":
      return state.apply1(local(t!), rot(g.gate[1] as "x" | "y" | "z", g.rotation!));
    case "h":
      return state.apply1(local(t!), H);
    case "x":
    case "not":
      return state.apply1(local(t!), X);
    case "v":
      return state.apply1(local(t!), V);
    case "vi":
      return state.apply1(local(t!), VI);
    case "cnot":
      return state.apply2(local(g.control!), local(g.target!), CNOT);
    default:
      throw new Error(`the test simulator does not know gate ${g.gate}`);
  }
}

/** One group of qubits that interact, with its exact distribution (index bit k = qubits[k]). */
export interface Component {
  readonly qubits: readonly number[];
  readonly probabilities: Float64Array;
}

/** Exact outcome distributions of a circuit on `n` qubits, per group of interacting qubits. */
export function simulateIonqCircuit(n: number, gates: readonly TestIonqGate[]): Component[] {
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (const g of gates) {
    const qs = g.targets ?? (g.control !== undefined ? [g.control, g.target!] : [g.target!]);
    for (const q of qs) if (!Number.isInteger(q) || q < 0 || q >= n) throw new Error(`gate ${g.gate} on qubit ${q} of ${n}`);
    for (let k = 1; k < qs.length; k++) parent[find(qs[k])] = find(qs[0]);
  }
  const groups = new Map<number, number[]>();
  for (let q = 0; q < n; q++) {
    const r = find(q);
    const list = groups.get(r) ?? [];
    list.push(q);
    groups.set(r, list);
  }
  const out: Component[] = [];
  for (const qubits of groups.values()) {
    if (qubits.length > 22) throw new Error(`a group of ${qubits.length} interacting qubits is too large for the test simulator`);
    const index = new Map(qubits.map((q, k) => [q, k]));
    const state = new StateVector(qubits.length);
    for (const g of gates) {
      const qs = g.targets ?? (g.control !== undefined ? [g.control, g.target!] : [g.target!]);
      if (index.has(qs[0])) applyIonqGate(state, g, (q) => index.get(q)!);
    }
    out.push({ qubits, probabilities: state.probabilities() });
  }
  return out;
}
