import type { Circuit } from "./circuit.js";
import { opQubits } from "./circuit-groups.js";
import type { Target } from "./target.js";

/**
 * How long one execution of a compiled circuit keeps the device busy, in seconds: an as-soon-as-
 * possible schedule in which each gate starts when all its qubits are free and lasts its
 * duration on those qubits in the target (a measurement its qubit's readout duration), and a
 * barrier makes its qubits wait for the slowest of them. Gates or readouts whose duration the
 * target does not state count 0 (IBM's rz is virtual and really takes 0), so the figure is a
 * lower bound where the target is incomplete.
 */
export function circuitDuration(circuit: Circuit, target: Target): number {
  const gateTime = new Map<string, number>();
  for (const ins of target.instructions) if (ins.duration !== null) gateTime.set(`${ins.gate}:${ins.qubits.join(",")}`, ins.duration);
  const free = new Float64Array(circuit.numQubits);
  let end = 0;
  for (const op of circuit.ops) {
    const qs = opQubits(op);
    const start = qs.reduce((t, q) => Math.max(t, free[q] ?? 0), 0);
    let length = 0;
    if (op.op === "measure") length = target.qubits[op.qubit]?.readoutDuration ?? 0;
    else if (op.op !== "barrier") {
      const key = qs.join(",");
      length = gateTime.get(`${op.op}:${key}`) ?? gateTime.get(`${op.op}:${[...qs].reverse().join(",")}`) ?? 0;
    }
    for (const q of qs) free[q] = start + length;
    end = Math.max(end, start + length);
  }
  return end;
}
