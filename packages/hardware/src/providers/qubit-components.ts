import { partitionQubits } from "../qubit-partition.js";
import type { ImportedGate, ImportedProgram } from "./qasm2-import.js";

/** A group of qubits that no gate connects to any other qubit: it can be simulated on its own. */
export interface QubitComponent {
  /** Global qubit indices, ascending; local wire k of the component is qubits[k]. */
  readonly qubits: readonly number[];
  /** The component's gates in time order, on global qubit indices. */
  readonly gates: readonly ImportedGate[];
  /** Measured global qubits of the component, in first-measured order; outcome bit k belongs to measured[k]. */
  readonly measured: readonly number[];
}

/**
 * Splits a program into connected components of qubits: every multi-qubit gate joins the
 * components of its qubits (union-find). Components without a measured qubit cannot change any
 * outcome and are dropped. The joint outcome distribution is the product of the components'
 * distributions, because their states stay a tensor product.
 */
export function splitIntoComponents(program: ImportedProgram): QubitComponent[] {
  const all = Array.from({ length: program.numQubits }, (_, q) => q);
  const groups = partitionQubits(program.numQubits, program.gates.map((g) => g.wires), all);
  const components: QubitComponent[] = [];
  for (const qubits of groups) {
    const inside = new Set(qubits);
    const measured = uniqueMeasured(program, inside);
    if (measured.length === 0) continue;
    components.push({ qubits, gates: program.gates.filter((g) => inside.has(g.wires[0])), measured });
  }
  return components;
}

/** The whole program as one component (no splitting): the reference the split is checked against. */
export function wholeProgram(program: ImportedProgram): QubitComponent[] {
  const qubits = Array.from({ length: program.numQubits }, (_, i) => i);
  const measured = uniqueMeasured(program, new Set(qubits));
  return measured.length === 0 ? [] : [{ qubits, gates: program.gates, measured }];
}

function uniqueMeasured(program: ImportedProgram, inside: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (const m of program.measurements) if (inside.has(m.qubit) && !out.includes(m.qubit)) out.push(m.qubit);
  return out;
}
