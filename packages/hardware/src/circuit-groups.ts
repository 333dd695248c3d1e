import type { Circuit, Operation } from "./circuit.js";
import { partitionQubits } from "./qubit-partition.js";

/**
 * Splits a circuit into groups of qubits that no two-qubit gate connects across: each group is a
 * circuit of its own on qubits 0..k-1 (in increasing physical order) and its own classical bits.
 * A state-vector simulator then pays 2^k per group instead of 2^n for the whole block, and the
 * outcome distribution is the product of the groups' (the qubits never interact).
 */
export interface QubitGroup {
  /** The group as a circuit on local qubits 0..qubits.length-1 and local bits 0..clbits.length-1. */
  readonly circuit: Circuit;
  /** qubits[local] = physical qubit of the original circuit. */
  readonly qubits: readonly number[];
  /** clbits[local] = classical bit of the original circuit. */
  readonly clbits: readonly number[];
}

export function splitIndependentGroups(circuit: Circuit): QubitGroup[] {
  const gates = circuit.ops.filter((op) => op.op !== "barrier");
  const touched = gates.flatMap((op) => [...opQubits(op)]);
  const partition = partitionQubits(circuit.numQubits, gates.map(opQubits), touched);
  const groups: QubitGroup[] = [];
  for (const qubits of partition) {
    const local = new Map(qubits.map((q, i) => [q, i]));
    const clbits: number[] = [];
    const ops: Operation[] = [];
    for (const op of circuit.ops) {
      if (op.op === "barrier") {
        const qs = op.qubits.filter((q) => local.has(q)).map((q) => local.get(q)!);
        if (qs.length > 0) ops.push({ op: "barrier", qubits: qs });
        continue;
      }
      if (!opQubits(op).every((q) => local.has(q))) continue;
      if (op.op === "measure") {
        clbits.push(op.clbit);
        ops.push({ op: "measure", qubit: local.get(op.qubit)!, clbit: clbits.length - 1 });
      } else ops.push(remapGate(op, local));
    }
    groups.push({ circuit: { numQubits: qubits.length, numClbits: clbits.length, ops }, qubits, clbits });
  }
  return groups;
}

/** The qubits an operation acts on, in its argument order. */
export function opQubits(op: Operation): readonly number[] {
  if (op.op === "barrier") return op.qubits;
  if ("qubit" in op) return [op.qubit];
  return [op.control, op.target];
}

function remapGate(op: Exclude<Operation, { op: "barrier" } | { op: "measure" }>, local: Map<number, number>): Operation {
  if ("qubit" in op) return { ...op, qubit: local.get(op.qubit)! };
  return { ...op, control: local.get(op.control)!, target: local.get(op.target)! };
}
