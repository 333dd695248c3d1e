import type { Circuit } from "../../src/circuit.js";

/**
 * A small state-vector simulator for the tests (qubit k is bit k of the basis index), written
 * from the gate matrices: ry, rz, x, cx, cz, cry. No gate may follow a measurement of its qubit; it returns
 * P(qubit = 0) for each measured qubit, in clbit order.
 */
export function probabilitiesOfZero(circuit: Circuit): number[] {
  const n = circuit.numQubits;
  if (n > 16) throw new Error("test simulator: too many qubits");
  const re = new Float64Array(1 << n), im = new Float64Array(1 << n);
  re[0] = 1;
  const single = (q: number, m: [[number, number, number, number], [number, number, number, number]], control = -1) => {
    // m = [[a_re, a_im, b_re, b_im], [c_re, c_im, d_re, d_im]] for [[a, b], [c, d]]
    const bit = 1 << q;
    for (let i = 0; i < re.length; i++) {
      if (i & bit || (control >= 0 && !(i & (1 << control)))) continue;
      const j = i | bit;
      const [r0, i0, r1, i1] = [re[i], im[i], re[j], im[j]];
      const [[ar, ai, br, bi], [cr, ci, dr, di]] = m;
      re[i] = ar * r0 - ai * i0 + br * r1 - bi * i1;
      im[i] = ar * i0 + ai * r0 + br * i1 + bi * r1;
      re[j] = cr * r0 - ci * i0 + dr * r1 - di * i1;
      im[j] = cr * i0 + ci * r0 + dr * i1 + di * r1;
    }
  };
  const ry = (t: number): [[number, number, number, number], [number, number, number, number]] => [[Math.cos(t / 2), 0, -Math.sin(t / 2), 0], [Math.sin(t / 2), 0, Math.cos(t / 2), 0]];
  const x: [[number, number, number, number], [number, number, number, number]] = [[0, 0, 1, 0], [1, 0, 0, 0]];
  const measured: Array<{ qubit: number; clbit: number }> = [];
  for (const op of circuit.ops) {
    if (op.op === "measure") { measured.push(op); continue; }
    // A measurement may be deferred to the end as long as no later gate touches its qubit.
    const onQubits = op.op === "barrier" ? [] : "qubit" in op ? [op.qubit] : [op.control, op.target];
    if (measured.some((m) => onQubits.includes(m.qubit))) throw new Error("test simulator: a gate after a measurement of its qubit");
    const angle = (a: unknown): number => {
      if (typeof a !== "number") throw new Error("test simulator: concrete angles only");
      return a;
    };
    switch (op.op) {
      case "ry": single(op.qubit, ry(angle(op.angle))); break;
      case "rz": { const t = angle(op.angle); single(op.qubit, [[Math.cos(t / 2), -Math.sin(t / 2), 0, 0], [0, 0, Math.cos(t / 2), Math.sin(t / 2)]]); break; }
      case "x": single(op.qubit, x); break;
      case "cx": single(op.target, x, op.control); break;
      case "cz": single(op.target, [[1, 0, 0, 0], [0, 0, -1, 0]], op.control); break;
      case "cry": single(op.target, ry(angle(op.angle)), op.control); break;
      case "barrier": break;
      default: throw new Error(`test simulator: no gate ${op.op}`);
    }
  }
  return measured.sort((a, b) => a.clbit - b.clbit).map(({ qubit }) => {
    let p = 0;
    for (let i = 0; i < re.length; i++) if (!(i & (1 << qubit))) p += re[i] * re[i] + im[i] * im[i];
    return p;
  });
}
