import { quantumCircuit } from "./quantum-circuit-loader.js";
import { CapabilityError } from "@natural-quantization/core";
import type { QubitComponent } from "./qubit-components.js";

/** Largest component the local provider simulates (a 2^k state vector in quantum-circuit). */
export const MAX_COMPONENT_QUBITS = 20;

/**
 * Exact outcome probabilities of one component, computed by quantum-circuit: the component's
 * gates run as their own small circuit, and |amplitude|^2 of the final state is summed over
 * the unmeasured qubits. Index bit k of the returned array is the outcome of component.measured[k].
 */
export function outcomeDistribution(component: QubitComponent): Float64Array {
  const size = component.qubits.length;
  if (size > MAX_COMPONENT_QUBITS) {
    throw new CapabilityError(
      `the local provider simulates at most ${MAX_COMPONENT_QUBITS} entangled qubits together; this program links ${size}`,
    );
  }
  const local = new Map<number, number>();
  component.qubits.forEach((q, k) => local.set(q, k));
  const circuit = new (quantumCircuit())(size);
  for (const gate of component.gates) {
    circuit.appendGate(gate.name, gate.wires.map((w) => local.get(w) as number), { params: { ...gate.params } });
  }
  circuit.run();
  const state = circuit.stateAsSimpleArray();
  // quantum-circuit keeps wire k as bit 2^k of the amplitude index.
  const wireOfOutcomeBit = component.measured.map((q) => local.get(q) as number);
  const probabilities = new Float64Array(1 << wireOfOutcomeBit.length);
  for (let index = 0; index < state.length; index++) {
    const a = state[index];
    const p = a.re * a.re + a.im * a.im;
    if (p === 0) continue;
    let outcome = 0;
    for (let k = 0; k < wireOfOutcomeBit.length; k++) if ((index >> wireOfOutcomeBit[k]) & 1) outcome |= 1 << k;
    probabilities[outcome] += p;
  }
  return probabilities;
}
