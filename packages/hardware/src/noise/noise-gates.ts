import { ConfigError, type RandomStream } from "@natural-quantization/core";
import type { Circuit, Operation } from "../circuit.js";
import type { JobResult } from "../provider.js";
import { thermalDamping, thermalPhaseFlip } from "./bloch.js";
import type { NoiseModel, ReadoutConfusion } from "./model.js";

/**
 * Which qubits of a layer circuit are neurons and which are Model 2 ancillas (slot i: neuron
 * neuronQubits[i], ancilla ancillaQubits[i]; no ancillas for g = pi/2). A LayerLayout is one.
 */
export interface NoiseRoles {
  readonly neuronQubits: readonly number[];
  readonly ancillaQubits: readonly number[];
}

/**
 * The noise model inserted as gates: one Monte-Carlo instance of a layer circuit. Averaged over
 * independent instances (each run with the same number of shots) the circuits realise the same
 * channels as the noisy qubit layer:
 *
 * - On each neuron, right after its rotation (before its first two-qubit gate or measurement):
 *   1. depolarizing lambda as a random Pauli: X, Y (as `x` then `rz(pi)`, Y up to global phase) or
 *      Z (`rz(pi)`), each with probability lambda/4, else nothing;
 *   2. amplitude damping, with gamma_total = 1 - (1 - gamma)(1 - gamma_T1) folding in thermal
 *      relaxation's damping (gamma_T1 = 1 - exp(-t/T1)), as an exact dilation on a fresh ancilla
 *      qubit in |0>: `cry(2 asin(sqrt(gamma_total)))` neuron -> ancilla, then `cx` ancilla -> neuron.
 *      The ancilla is never measured. Fresh ancillas are numbered from the circuit's numQubits up,
 *      one per damped neuron, in the order of roles.neuronQubits;
 *   3. thermal relaxation's pure dephasing as `rz(pi)` with probability (1 - exp(-t/T2 + t/(2 T1)))/2.
 *   (Pure dephasing commutes with amplitude damping, so 2 and 3 equal the model's order.)
 * - On each Model 2 ancilla, right before its measurement: depolarizing lambda_a as a random Pauli.
 * - Readout error is not a gate: an X before the measurement cannot depend on the outcome it would
 *   flip, so asymmetric confusion is applied to the measured bits instead (applyReadoutErrors).
 *
 * Neuron or ancilla qubits with no operation in the circuit (empty slots of a block) are skipped.
 * Draws come from `rng` in a fixed order (per neuron: Pauli, then dephasing; then per ancilla).
 */
export function noisyCircuitInstance(circuit: Circuit, roles: NoiseRoles, model: NoiseModel, rng: RandomStream): Circuit {
  checkRoles(circuit, roles);
  const before = new Map<number, Operation[]>();
  const insert = (at: number, ops: Operation[]) => {
    if (ops.length > 0) before.set(at, [...(before.get(at) ?? []), ...ops]);
  };
  const damping = 1 - (1 - model.amplitudeDamping) * (1 - thermalDamping(model));
  const phaseFlip = thermalPhaseFlip(model);
  let numQubits = circuit.numQubits;

  for (const neuron of roles.neuronQubits) {
    const at = readoutPoint(circuit, neuron, "neuron");
    if (at === null) continue;
    const ops: Operation[] = [...randomPauli(neuron, model.depolarizing, rng)];
    if (damping > 0) {
      const fresh = numQubits++;
      ops.push({ op: "cry", control: neuron, target: fresh, angle: 2 * Math.asin(Math.sqrt(damping)) });
      ops.push({ op: "cx", control: fresh, target: neuron });
    }
    if (phaseFlip > 0 && rng.uniform() < phaseFlip) ops.push({ op: "rz", qubit: neuron, angle: Math.PI });
    insert(at, ops);
  }
  for (const ancilla of roles.ancillaQubits) {
    const at = measurementOf(circuit, ancilla);
    if (at === null) continue;
    insert(at, randomPauli(ancilla, model.ancillaDepolarizing, rng));
  }

  if (before.size === 0 && numQubits === circuit.numQubits) return circuit;
  const ops: Operation[] = [];
  circuit.ops.forEach((op, i) => {
    const extra = before.get(i);
    if (extra) ops.push(...extra);
    ops.push(op);
  });
  return { ...circuit, numQubits, ops };
}

/** `count` independent instances of the circuit (see noisyCircuitInstance). */
export function noisyCircuitInstances(circuit: Circuit, roles: NoiseRoles, model: NoiseModel, count: number, rng: RandomStream): Circuit[] {
  if (!Number.isInteger(count) || count < 1) throw new ConfigError("count", count, "an integer >= 1");
  return Array.from({ length: count }, () => noisyCircuitInstance(circuit, roles, model, rng));
}

/** One shot's bits with readout error: a 0 reads 1 with probability p01, a 1 reads 0 with p10. */
export function applyReadoutError(bits: ArrayLike<number>, readout: ReadoutConfusion, rng: RandomStream): Uint8Array {
  const out = Uint8Array.from(bits);
  if (readout.p01 === 0 && readout.p10 === 0) return out;
  for (let i = 0; i < out.length; i++) {
    const u = rng.uniform();
    if (out[i] === 0 ? u < readout.p01 : u < readout.p10) out[i] ^= 1;
  }
  return out;
}

/** Readout error on every bit of every shot of a job's result (results[pub][row][shot][clbit]). */
export function applyReadoutErrors(result: JobResult, readout: ReadoutConfusion, rng: RandomStream): JobResult {
  return result.map((pub) => pub.map((row) => row.map((shot) => applyReadoutError(shot, readout, rng))));
}

/** X, Y or Z on `qubit` with probability lambda/4 each (one draw), else nothing. */
function randomPauli(qubit: number, lambda: number, rng: RandomStream): Operation[] {
  if (lambda === 0) return [];
  const u = rng.uniform();
  if (u < lambda / 4) return [{ op: "x", qubit }];
  if (u < lambda / 2) return [{ op: "x", qubit }, { op: "rz", qubit, angle: Math.PI }];
  if (u < (3 * lambda) / 4) return [{ op: "rz", qubit, angle: Math.PI }];
  return [];
}

const touches = (op: Operation, q: number): boolean =>
  op.op === "barrier" ? op.qubits.includes(q) : "qubit" in op ? op.qubit === q : op.control === q || op.target === q;

/**
 * Index of the neuron's first measurement or two-qubit gate (where its rotation has ended), null
 * when the circuit never touches it; an error when it is touched but never read out.
 */
function readoutPoint(circuit: Circuit, qubit: number, role: string): number | null {
  let touched = false;
  for (let i = 0; i < circuit.ops.length; i++) {
    const op = circuit.ops[i];
    if (!touches(op, qubit)) continue;
    touched = true;
    if (op.op === "measure" || "control" in op) return i;
  }
  if (touched) throw new ConfigError(`${role} qubit`, qubit, "a qubit the circuit measures or entangles with its ancilla");
  return null;
}

function measurementOf(circuit: Circuit, qubit: number): number | null {
  const i = circuit.ops.findIndex((op) => op.op === "measure" && op.qubit === qubit);
  if (i >= 0) return i;
  if (circuit.ops.some((op) => touches(op, qubit))) throw new ConfigError("ancilla qubit", qubit, "a qubit the circuit measures");
  return null;
}

function checkRoles(circuit: Circuit, roles: NoiseRoles): void {
  const seen = new Set<number>();
  for (const [field, list] of [["neuronQubits", roles.neuronQubits], ["ancillaQubits", roles.ancillaQubits]] as const) {
    for (const q of list) {
      if (!Number.isInteger(q) || q < 0 || q >= circuit.numQubits) throw new ConfigError(field, q, `qubits 0..${circuit.numQubits - 1} of the circuit`);
      if (seen.has(q)) throw new ConfigError(field, q, "each qubit in one role once");
      seen.add(q);
    }
  }
}
