/**
 * The independent simulator of the tests: the npm package quantum-circuit, fed the OpenQASM 2
 * text our emitter writes (so the emitted program is what is checked). Nothing here computes a
 * quantum state itself; it only reads quantum-circuit's.
 */
import QuantumCircuit from "quantum-circuit";
import { toQasm2, type Circuit } from "../../src/index.js";

export interface Complex {
  readonly re: number;
  readonly im: number;
}

function load(qasm: string): QuantumCircuit {
  const qc = new QuantumCircuit();
  let errors: unknown[] = [];
  qc.importQASM(qasm, (e) => (errors = e));
  if (errors.length > 0) throw new Error(`quantum-circuit rejected the program: ${JSON.stringify(errors)}\n${qasm}`);
  for (const column of qc.gates) {
    for (const gate of column) {
      if (gate && !qc.basicGates[gate.name] && !qc.customGates[gate.name]) throw new Error(`quantum-circuit does not know gate ${gate.name}`);
    }
  }
  return qc;
}

/** The state before measurement: the emitted OpenQASM 2 without its measure statements. Index bit k = qubit k. */
export function stateVector(circuit: Circuit): Complex[] {
  if (circuit.numQubits > 14) throw new Error(`stateVector: ${circuit.numQubits} qubits is too many; split the circuit first`);
  const qasm = toQasm2(circuit)
    .split("\n")
    .filter((line) => !line.startsWith("measure "))
    .join("\n");
  const qc = load(qasm);
  qc.run();
  const zero = { re: 0, im: 0 };
  return Array.from({ length: 2 ** circuit.numQubits }, (_, i) => qc.state[String(i)] ?? zero);
}

/** Runs the emitted program with its measurements (quantum-circuit collapses the state) and returns c as bits c[0], c[1], ... */
export function runWithMeasurements(circuit: Circuit): number[] {
  const qc = load(toQasm2(circuit));
  qc.run();
  const value = qc.getCregValue("c");
  return Array.from({ length: circuit.numClbits }, (_, i) => (value >> i) & 1);
}

/** P(qubit q reads 1). */
export function probOne(state: readonly Complex[], q: number): number {
  let p = 0;
  state.forEach((a, i) => {
    if ((i >> q) & 1) p += a.re * a.re + a.im * a.im;
  });
  return p;
}

/**
 * Asserts that two states agree per measurement outcome up to a phase: for every outcome of the
 * measured qubits, the same probability and the same (unnormalised) state of the other qubits,
 * up to a phase that may depend on the outcome. Returns the largest deviation seen.
 */
export function perOutcomeDistance(a: readonly Complex[], b: readonly Complex[], measured: readonly number[]): number {
  if (a.length !== b.length) throw new Error("states of different size");
  const mask = measured.reduce((m, q) => m | (1 << q), 0);
  const outcomes = new Map<number, number[]>();
  for (let i = 0; i < a.length; i++) {
    const key = i & mask;
    const list = outcomes.get(key) ?? [];
    list.push(i);
    outcomes.set(key, list);
  }
  let worst = 0;
  for (const indices of outcomes.values()) {
    let na = 0;
    let nb = 0;
    let ipRe = 0;
    let ipIm = 0;
    for (const i of indices) {
      na += a[i].re ** 2 + a[i].im ** 2;
      nb += b[i].re ** 2 + b[i].im ** 2;
      // <a|b>
      ipRe += a[i].re * b[i].re + a[i].im * b[i].im;
      ipIm += a[i].re * b[i].im - a[i].im * b[i].re;
    }
    worst = Math.max(worst, Math.abs(na - nb), Math.abs(Math.sqrt(na * nb) - Math.hypot(ipRe, ipIm)));
  }
  return worst;
}

/** Largest |a_i - e^{i phi} b_i| over a single best global phase phi. */
export function globalPhaseDistance(a: readonly Complex[], b: readonly Complex[]): number {
  let ipRe = 0;
  let ipIm = 0;
  a.forEach((x, i) => {
    ipRe += x.re * b[i].re + x.im * b[i].im;
    ipIm += x.re * b[i].im - x.im * b[i].re;
  });
  const norm = Math.hypot(ipRe, ipIm) || 1;
  // phase that rotates b onto a: conj(<a|b>)/|<a|b>|
  const cRe = ipRe / norm;
  const cIm = -ipIm / norm;
  let worst = 0;
  a.forEach((x, i) => {
    const re = b[i].re * cRe - b[i].im * cIm;
    const im = b[i].re * cIm + b[i].im * cRe;
    worst = Math.max(worst, Math.hypot(x.re - re, x.im - im));
  });
  return worst;
}

/** A seeded uniform generator (mulberry32) for test angles. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
