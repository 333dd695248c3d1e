import { ConfigError } from "@natural-quantization/core";
import type { InstructionProperties, Target } from "../target.js";
import { noiseModel, type NoiseModel } from "./model.js";

export interface TargetNoiseOptions {
  /** Physical qubits whose properties are summarised (the ones a run uses); default every qubit. */
  readonly qubits?: readonly number[];
  /**
   * Let the neuron relax over the measurement's duration too (default true, as Qiskit Aer's
   * device noise model does for `measure`). The device's readout errors already contain part of
   * that decay, so this errs on the side of more noise.
   */
  readonly relaxDuringReadout?: boolean;
}

/**
 * A noise model summarising a device: the median over the chosen qubits of each rate, because the
 * simulator does not know which physical qubit a neuron would sit on.
 *
 * - Depolarizing: a neuron's `ry` compiles to `sx; rz; sx; rz` (rz is virtual and error-free), so it
 *   carries two sx errors (on a trapped-ion target two gpi2, whose error is read the same way).
 *   Each sx's reported error e (1 - average gate fidelity) is split as Qiskit Aer does into
 *   thermal relaxation over the sx duration and a depolarizing part
 *   lambda_sx = 2 (e - r) / (2 F - 1), where F = 1 - r is the relaxation channel's average gate
 *   fidelity (lambda_sx = 2e without T1/T2 data); then lambda = 1 - (1 - lambda_sx)^2.
 * - Thermal relaxation: median T1 and T2 (T2 capped at 2 T1, as Aer does, since calibrations can
 *   exceed it), over time = 2 x median sx duration + median readout duration.
 * - Readout error: median P(1|0) and P(0|1).
 * - Model 2 ancilla: the two-qubit native gate's median error e2 is a two-qubit depolarizing channel
 *   of parameter 4 e2 / 3, whose marginal on the ancilla is a one-qubit depolarizing of the same
 *   parameter; with the ancilla's two `ry` (four sx) it gives
 *   lambda_a = 1 - (1 - 4 e2/3)(1 - lambda_sx)^4, applied to the ancilla just before its readout.
 *   The gate's effect on the neuron's carried state is neglected.
 * Unknown values (null T1/T2 or durations, no sx or two-qubit gate data) contribute no noise.
 */
export function noiseFromTarget(target: Target, options: TargetNoiseOptions = {}): NoiseModel {
  const qubits = options.qubits ?? target.qubits.map((_, i) => i);
  for (const q of qubits) {
    if (!Number.isInteger(q) || q < 0 || q >= target.numQubits) throw new ConfigError("qubits", q, `physical qubits 0..${target.numQubits - 1} of target ${target.name}`);
  }
  if (qubits.length === 0) throw new ConfigError("qubits", "[]", "at least one physical qubit");
  const chosen = new Set(qubits);
  const props = qubits.map((q) => target.qubits[q]);
  const sx = new Map<number, InstructionProperties>();
  // The rotation pulse: sx on IBM, gpi2 on IonQ (a compiled ry is two of either; see compile-trapped-ion.ts).
  for (const ins of target.instructions) if ((ins.gate === "sx" || ins.gate === "gpi2") && ins.qubits.length === 1 && chosen.has(ins.qubits[0])) sx.set(ins.qubits[0], ins);

  const t1 = median(props.map((p) => p.t1));
  const t2Raw = median(props.map((p) => p.t2));
  const t2 = t1 !== null && t2Raw !== null ? Math.min(t2Raw, 2 * t1) : null;
  const sxTime = median([...sx.values()].map((i) => i.duration)) ?? 0;
  const readoutTime = options.relaxDuringReadout === false ? 0 : median(props.map((p) => p.readoutDuration)) ?? 0;
  const time = 2 * sxTime + readoutTime;

  const sxDepolarizing = [...sx.entries()].map(([q, ins]) => {
    const p = target.qubits[q];
    return depolarizingPart(ins.error, ins.duration, p.t1, p.t2 === null || p.t1 === null ? p.t2 : Math.min(p.t2, 2 * p.t1));
  });
  const lambdaSx = median(sxDepolarizing) ?? 0;
  const ryDepolarizing = median(sxDepolarizing.map((l) => 1 - (1 - l) ** 2)) ?? 0;

  const twoQubit = target.instructions.filter((i) => i.qubits.length === 2 && target.basisGates.includes(i.gate));
  const inside = twoQubit.filter((i) => i.qubits.every((q) => chosen.has(q)));
  const e2 = median((inside.length > 0 ? inside : twoQubit).map((i) => i.error)) ?? 0;
  const ancilla = 1 - (1 - Math.min(1, (4 * e2) / 3)) * (1 - lambdaSx) ** 4;

  return noiseModel({
    depolarizing: clamp(ryDepolarizing),
    thermalRelaxation: t1 !== null && t2 !== null && time > 0 ? { t1, t2, time } : null,
    readout: { p01: median(props.map((p) => p.readoutP01)) ?? 0, p10: median(props.map((p) => p.readoutP10)) ?? 0 },
    ancillaDepolarizing: clamp(ancilla),
  }, `noise from target ${target.name}`);
}

/**
 * The depolarizing parameter that, followed by thermal relaxation over the gate's duration, has
 * average gate infidelity `error` (Qiskit Aer's split). Without relaxation data: 2 x error.
 */
export function depolarizingPart(error: number, duration: number | null, t1: number | null, t2: number | null): number {
  if (duration === null || duration === 0 || t1 === null || t2 === null) return clamp(2 * error);
  const cx = Math.exp(-duration / t2), cz = Math.exp(-duration / t1);
  const fidelity = (3 + 2 * cx + cz) / 6;
  return clamp((2 * (error - (1 - fidelity))) / (2 * fidelity - 1));
}

function clamp(lambda: number): number {
  return Math.min(4 / 3, Math.max(0, lambda));
}

/** Median of the known values (null when none is known). */
function median(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const mid = known.length >> 1;
  return known.length % 2 === 1 ? known[mid] : (known[mid - 1] + known[mid]) / 2;
}
