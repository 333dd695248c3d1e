import { ConfigError } from "@natural-quantization/core";
import type { Target } from "./target.js";

/**
 * Which qubits and couplers of a target a layout must not use, and why.
 *
 * - A qubit is avoided when the provider reports it out of service (`operational: false`), when
 *   one of its single-qubit native gates is dead (error 1 or not operational), or when its readout
 *   error, IBM's `readout_error` = (P(1|0) + P(0|1)) / 2, is above `maxReadoutError`.
 * - A coupler (an unordered pair of the coupling map) is avoided when any of its two-qubit native
 *   gates is dead: IBM reports a broken coupler with `gate_error` 1 (or `operational` 0).
 *
 * Why 0.1 as the default readout limit: a readout error e flips the one measured bit of a unit,
 * which shrinks the signal <m'> by the factor 1 - 2e. IBM's median readout errors are 0.01-0.02
 * (a 2-4 % loss); at 0.1 the loss is already 20 %, and the outliers seen on calibration snapshots
 * (0.16-0.57) would mostly return noise. Raise it for a device whose median is itself high.
 */
export const DEFAULT_MAX_READOUT_ERROR = 0.1;

/** An avoided qubit and the reason in words (written to `nq circuits`' manifest). */
export interface AvoidedQubit {
  readonly qubit: number;
  readonly reason: string;
}

/** An avoided coupler [a, b] (a < b) and the reason in words. */
export interface AvoidedCoupler {
  readonly qubits: readonly [number, number];
  readonly reason: string;
}

export interface DeviceHealth {
  readonly maxReadoutError: number;
  /** Ascending by qubit. */
  readonly avoidedQubits: readonly AvoidedQubit[];
  /** Ascending by pair; couplers that only touch an avoided qubit are not listed (they are unusable anyway). */
  readonly avoidedCouplers: readonly AvoidedCoupler[];
}

const SINGLE_QUBIT_PULSES = new Set(["sx", "x"]);

/** IBM's readout_error: the mean of the two misassignment probabilities. */
export function readoutError(target: Target, qubit: number): number {
  const q = target.qubits[qubit];
  return (q.readoutP01 + q.readoutP10) / 2;
}

export function deviceHealth(target: Target, maxReadoutError = DEFAULT_MAX_READOUT_ERROR): DeviceHealth {
  if (!(typeof maxReadoutError === "number" && maxReadoutError >= 0 && maxReadoutError <= 1)) {
    throw new ConfigError("maxReadoutError", maxReadoutError, "a probability 0..1 (IBM's readout_error above it avoids the qubit)");
  }
  const qubitReasons = new Map<number, string[]>();
  const note = (q: number, reason: string) => qubitReasons.set(q, [...(qubitReasons.get(q) ?? []), reason]);
  target.qubits.forEach((q, i) => {
    if (q.operational === false) note(i, "not operational");
  });
  for (const ins of target.instructions) {
    if (ins.qubits.length === 1 && SINGLE_QUBIT_PULSES.has(ins.gate) && isDead(ins)) note(ins.qubits[0], `${ins.gate} ${deadReason(ins)}`);
  }
  for (let i = 0; i < target.numQubits; i++) {
    const e = readoutError(target, i);
    if (e > maxReadoutError) note(i, `readout error ${round(e)} > ${maxReadoutError}`);
  }
  const avoidedQubits = [...qubitReasons.keys()].sort((a, b) => a - b).map((qubit) => ({ qubit, reason: qubitReasons.get(qubit)!.join("; ") }));

  const couplerReasons = new Map<string, { qubits: [number, number]; reasons: Set<string> }>();
  for (const ins of target.instructions) {
    if (ins.qubits.length !== 2 || !isDead(ins)) continue;
    const [a, b] = ins.qubits[0] < ins.qubits[1] ? [ins.qubits[0], ins.qubits[1]] : [ins.qubits[1], ins.qubits[0]];
    const key = `${a},${b}`;
    const entry = couplerReasons.get(key) ?? { qubits: [a, b] as [number, number], reasons: new Set<string>() };
    entry.reasons.add(`${ins.gate} ${deadReason(ins)}`);
    couplerReasons.set(key, entry);
  }
  const avoidedCouplers = [...couplerReasons.values()]
    .sort((x, y) => x.qubits[0] - y.qubits[0] || x.qubits[1] - y.qubits[1])
    .map(({ qubits, reasons }) => ({ qubits, reason: [...reasons].join("; ") }));
  return { maxReadoutError, avoidedQubits, avoidedCouplers };
}

/** The qubits a layout may use: not avoided, optionally within `allowed`. */
export function usableQubits(target: Target, health: DeviceHealth, allowed?: Iterable<number>): Set<number> {
  const avoided = new Set(health.avoidedQubits.map((a) => a.qubit));
  const pool = allowed ? [...allowed] : Array.from({ length: target.numQubits }, (_, i) => i);
  return new Set(pool.filter((q) => !avoided.has(q)));
}

/** Whether a coupler (either order) is avoided for being dead itself. */
export function isAvoidedCoupler(health: DeviceHealth): (a: number, b: number) => boolean {
  const dead = new Set(health.avoidedCouplers.map(({ qubits: [a, b] }) => `${a},${b}`));
  return (a, b) => dead.has(a < b ? `${a},${b}` : `${b},${a}`);
}

/**
 * The error of the coupler's native two-qubit gate: the smallest over the directions and native
 * gates the target lists (0 when it lists none).
 */
export function couplerError(target: Target): (a: number, b: number) => number {
  const basis = new Set(target.basisGates);
  const best = new Map<string, number>();
  for (const ins of target.instructions) {
    if (ins.qubits.length !== 2 || !basis.has(ins.gate)) continue;
    const [a, b] = ins.qubits;
    const key = a < b ? `${a},${b}` : `${b},${a}`;
    best.set(key, Math.min(best.get(key) ?? Number.POSITIVE_INFINITY, ins.error));
  }
  return (a, b) => best.get(a < b ? `${a},${b}` : `${b},${a}`) ?? 0;
}

function isDead(ins: { readonly error: number; readonly operational?: boolean }): boolean {
  return ins.operational === false || ins.error >= 1;
}

function deadReason(ins: { readonly error: number; readonly operational?: boolean }): string {
  return ins.operational === false ? "not operational" : `gate_error ${ins.error} (dead)`;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
