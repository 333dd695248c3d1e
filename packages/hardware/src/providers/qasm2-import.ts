import { quantumCircuit } from "./quantum-circuit-loader.js";
import { CapabilityError, DataError } from "@natural-quantization/core";

/** One unitary gate of an imported program, on global qubit indices (quantum-circuit's names). */
export interface ImportedGate {
  readonly name: string;
  readonly wires: readonly number[];
  /** Angle expressions as quantum-circuit keeps them (strings such as "pi/2+0.1" or numbers). */
  readonly params: Readonly<Record<string, string | number>>;
}

export interface Measurement {
  readonly qubit: number;
  readonly clbit: number;
}

/** An OpenQASM 2 program as quantum-circuit read it: gates in time order, then terminal measurements. */
export interface ImportedProgram {
  readonly numQubits: number;
  readonly numClbits: number;
  readonly gates: readonly ImportedGate[];
  readonly measurements: readonly Measurement[];
}

/**
 * Reads OpenQASM 2 text with quantum-circuit's own importer (`importQASM`) and lists what it
 * understood. Only what an ideal device run needs is accepted: one classical register, unitary
 * gates quantum-circuit knows or the program defines (`gate NAME ... { ... }`, expanded),
 * barriers, and measurements that come after every gate on their qubit (so outcome probabilities
 * can be read off the final state).
 */
export function importQasm2(program: string): ImportedProgram {
  const QuantumCircuit = quantumCircuit();
  const read = new QuantumCircuit();
  let firstError: string | null = null;
  read.importQASM(program, (errors) => {
    if (errors.length > 0 && firstError === null) {
      const e = errors[0];
      firstError = `line ${e.line}, column ${e.col}: ${e.msg}`;
    }
  });
  if (firstError !== null) throw new DataError(`OpenQASM 2 program does not parse (${firstError})`);
  // Gates the program defines itself (e.g. Eagle's `ecr`) are expanded into the gates of their bodies.
  let circuit = read;
  if (Object.keys(read.customGates).length > 0) {
    circuit = new QuantumCircuit();
    circuit.load(read.save(true));
  }

  const cregNames = Object.keys(circuit.cregs);
  if (cregNames.length !== 1) {
    throw new DataError(`OpenQASM 2 program must declare exactly one classical register (found ${cregNames.length})`);
  }
  const numClbits = circuit.cregs[cregNames[0]].length;

  const gates: ImportedGate[] = [];
  const measurements: Measurement[] = [];
  const measured = new Set<number>();
  for (let column = 0; column < circuit.numCols(); column++) {
    for (let wire = 0; wire < circuit.numQubits; wire++) {
      const gate = circuit.getGateAt(column, wire);
      if (gate === null || gate.connector !== 0) continue;
      if (gate.options?.condition?.creg) {
        throw new CapabilityError(`the local provider runs no classically controlled gates (found "${gate.name}" with a condition)`);
      }
      if (gate.name === "barrier") continue;
      if (gate.name === "measure") {
        const clbit = gate.options?.creg?.bit ?? -1;
        measurements.push({ qubit: gate.wires[0], clbit });
        measured.add(gate.wires[0]);
        continue;
      }
      if (gate.name === "reset" || !(gate.name in circuit.basicGates)) {
        throw new DataError(`OpenQASM 2 program uses gate "${gate.name}", which the local provider cannot simulate (use the gates of qelib1.inc)`);
      }
      for (const w of gate.wires) {
        if (measured.has(w)) {
          throw new CapabilityError(
            `the local provider needs measurements at the end: gate "${gate.name}" acts on qubit ${w} after it was measured`,
          );
        }
      }
      gates.push({ name: gate.name, wires: [...gate.wires], params: { ...(gate.options?.params ?? {}) } });
    }
  }
  return { numQubits: circuit.numQubits, numClbits, gates, measurements };
}
