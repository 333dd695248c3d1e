import { ConfigError } from "@natural-quantization/core";
import type { Circuit, Operation } from "./circuit.js";
import { opQubits } from "./circuit-groups.js";
import { deviceHealth, isAvoidedCoupler } from "./device-health.js";
import type { Target } from "./target.js";

/**
 * The authors' noise amplification: before the measurements, insert k identity pairs, each a gate
 * followed by its inverse, fenced by barriers so no compiler cancels them:
 * - `sx` then `sxdg` on every measured qubit;
 * - `cz` then `cz` (its own inverse) on every working coupled pair of qubits the circuit uses
 *   (a dead coupler, gate_error 1 or not operational, is skipped).
 * The circuit is logically unchanged; only its noise grows with k. Insert before
 * `compileForTarget`, which turns `sxdg` into native gates (`rz(pi); sx; rz(pi)`).
 */
export interface IdentityPairOptions {
  /** Pairs per qubit / per coupled pair. */
  readonly k: number;
  /** Insert the sx / sxdg pairs (default true). */
  readonly singleQubit?: boolean;
  /** Insert the cz / cz pairs (default true). */
  readonly twoQubit?: boolean;
}

export function insertIdentityPairs(circuit: Circuit, target: Target, options: IdentityPairOptions): Circuit {
  const { k } = options;
  if (!Number.isInteger(k) || k < 0) throw new ConfigError("identity pairs k", k, "an integer >= 0");
  if (k === 0) return circuit;
  const firstMeasure = circuit.ops.findIndex((op) => op.op === "measure");
  const cut = firstMeasure < 0 ? circuit.ops.length : firstMeasure;
  const measured = [...new Set(circuit.ops.filter((op) => op.op === "measure").map((op) => (op as { qubit: number }).qubit))].sort((a, b) => a - b);
  const used = new Set<number>();
  for (const op of circuit.ops) if (op.op !== "barrier") for (const q of opQubits(op)) used.add(q);
  const fence: Operation = { op: "barrier", qubits: [...used].sort((a, b) => a - b) };
  const pairs = coupledPairsAmong(target, used);

  const inserted: Operation[] = [];
  for (let rep = 0; rep < k; rep++) {
    if (options.singleQubit ?? true) {
      inserted.push(fence, ...measured.map((q): Operation => ({ op: "sx", qubit: q })));
      inserted.push(fence, ...measured.map((q): Operation => ({ op: "sxdg", qubit: q })));
    }
    if ((options.twoQubit ?? true) && pairs.length > 0) {
      inserted.push(fence, ...pairs.map(([a, b]): Operation => ({ op: "cz", control: a, target: b })));
      inserted.push(fence, ...pairs.map(([a, b]): Operation => ({ op: "cz", control: a, target: b })));
    }
  }
  inserted.push(fence);
  return { ...circuit, ops: [...circuit.ops.slice(0, cut), ...inserted, ...circuit.ops.slice(cut)] };
}

/** Each working coupled pair of used qubits once, as the map lists it first, in map order. */
export function coupledPairsAmong(target: Target, used: ReadonlySet<number>): [number, number][] {
  const dead = isAvoidedCoupler(deviceHealth(target, 1));
  const seen = new Set<string>();
  const pairs: [number, number][] = [];
  for (const [a, b] of target.couplingMap) {
    if (a === b || !used.has(a) || !used.has(b) || dead(a, b)) continue;
    const key = a < b ? `${a},${b}` : `${b},${a}`;
    if (seen.has(key)) continue;
    seen.add(key);
    pairs.push([a, b]);
  }
  return pairs;
}
