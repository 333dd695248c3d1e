import { HALF_PI } from "@natural-quantization/core";
import type { NoiseModel, ReadoutConfusion } from "./model.js";

/**
 * The exact state of one noisy neuron qubit as a Bloch vector in the x-z plane:
 * rho = (I + x X + z Z) / 2. Every operation here (ry, the channels, the diagonal measurement
 * operators) keeps y = 0, so (x, z) is the whole state, pure or mixed. The pure state
 * cos(alpha/2)|0> + sin(alpha/2)|1> is (x, z) = (sin alpha, cos alpha).
 */
export interface Bloch {
  x: number;
  z: number;
}

/**
 * The neuron's channels (depolarizing, amplitude damping, thermal relaxation, in that order)
 * composed into one affine map of the Bloch plane: x -> cx x, z -> cz z + dz.
 */
export interface NeuronChannel {
  readonly cx: number;
  readonly cz: number;
  readonly dz: number;
}

/**
 * Composes the model's neuron channels. Closed forms on (x, z):
 * - depolarizing lambda: (x, z) -> (1 - lambda)(x, z);
 * - amplitude damping gamma: x -> sqrt(1 - gamma) x, z -> (1 - gamma) z + gamma;
 * - thermal relaxation: x -> exp(-t/T2) x, z -> exp(-t/T1) z + 1 - exp(-t/T1)
 *   (amplitude damping with gamma = 1 - exp(-t/T1) and pure dephasing at rate 1/T2 - 1/(2 T1)).
 */
export function neuronChannel(model: NoiseModel): NeuronChannel {
  let cx = 1, cz = 1, dz = 0;
  const lambda = model.depolarizing;
  cx *= 1 - lambda; cz *= 1 - lambda; dz *= 1 - lambda;
  const gamma = model.amplitudeDamping;
  cx *= Math.sqrt(1 - gamma); cz *= 1 - gamma; dz = (1 - gamma) * dz + gamma;
  const t = model.thermalRelaxation;
  if (t !== null) {
    const e1 = Math.exp(-t.time / t.t1);
    cx *= Math.exp(-t.time / t.t2); cz *= e1; dz = e1 * dz + (1 - e1);
  }
  return { cx, cz, dz };
}

/** Amplitude damping of the thermal relaxation alone: gamma = 1 - exp(-t/T1). */
export function thermalDamping(model: NoiseModel): number {
  const t = model.thermalRelaxation;
  return t === null ? 0 : 1 - Math.exp(-t.time / t.t1);
}

/**
 * Probability that thermal relaxation's pure dephasing flips the phase (a Z): the dephasing
 * factor exp(-t/T2 + t/(2 T1)) = 1 - 2 pZ. T2 <= 2 T1 keeps it in [0, 1/2].
 */
export function thermalPhaseFlip(model: NoiseModel): number {
  const t = model.thermalRelaxation;
  return t === null ? 0 : (1 - Math.exp(-t.time / t.t2 + t.time / (2 * t.t1))) / 2;
}

/**
 * The confusion of the reported outcome at entanglement angle g. For g = pi/2 the neuron is read
 * with the model's readout error. For g < pi/2 the ancilla is read: its depolarizing lambda_a flips
 * the true bit with probability lambda_a/2, then the readout error acts; composed exactly.
 */
export function reportedConfusion(model: NoiseModel, g: number): ReadoutConfusion {
  const { p01, p10 } = model.readout;
  if (g === HALF_PI || model.ancillaDepolarizing === 0) return { p01, p10 };
  const q = model.ancillaDepolarizing / 2;
  return { p01: q * (1 - p10) + (1 - q) * p01, p10: q * (1 - p01) + (1 - q) * p10 };
}

/** ry(theta) on the Bloch plane. */
export function rotateBloch(b: Bloch, theta: number): void {
  const c = Math.cos(theta), s = Math.sin(theta);
  const x = b.x * c + b.z * s;
  b.z = b.z * c - b.x * s;
  b.x = x;
}

export function applyNeuronChannel(b: Bloch, ch: NeuronChannel): void {
  b.x *= ch.cx;
  b.z = ch.cz * b.z + ch.dz;
}

/** P(reported m' = +1): true P(+1) = (1 + sin g z)/2, mixed by the confusion. */
export function reportedPlusProbability(z: number, g: number, conf: ReadoutConfusion): number {
  const plus = (1 + Math.sin(g) * z) / 2;
  return (1 - conf.p01) * plus + conf.p10 * (1 - plus);
}

/**
 * The state after the measurement, conditioned on the reported outcome: the measurement operators
 * M(+-1) = diag(sqrt((1 +- sin g)/2), sqrt((1 -+ sin g)/2)) applied to rho, mixed over the true
 * outcome with weights P(reported | true), renormalised. Exact for mixed states.
 */
export function conditionOnReported(b: Bloch, reported: 1 | -1, g: number, conf: ReadoutConfusion): void {
  const s = Math.sin(g);
  const big = (1 + s) / 2, small = (1 - s) / 2;
  // Off-diagonal factor sqrt(big * small) as a product of roots, so it is exactly 0 at g = pi/2.
  const cross = Math.sqrt(big) * Math.sqrt(small);
  const wPlus = reported === 1 ? 1 - conf.p01 : conf.p01; // P(reported | true +1)
  const wMinus = reported === 1 ? conf.p10 : 1 - conf.p10; // P(reported | true -1)
  const r00 = ((1 + b.z) / 2) * (wPlus * big + wMinus * small);
  const r11 = ((1 - b.z) / 2) * (wPlus * small + wMinus * big);
  const r01 = (b.x / 2) * cross * (wPlus + wMinus);
  const trace = r00 + r11;
  // A reported outcome of probability 0 is never drawn; rounding could still offer one.
  if (!(trace > 0)) return;
  b.z = (r00 - r11) / trace;
  b.x = (2 * r01) / trace;
}

/**
 * P(reported m' = +1) for a neuron prepared as ry(alpha)|0>, then the model's channels, then read
 * with entanglement angle g: the probability a noisy single-layer circuit's outcome should show.
 */
export function noisyProbPlus(model: NoiseModel, alpha: number, g: number): number {
  const b: Bloch = { x: Math.sin(alpha), z: Math.cos(alpha) };
  applyNeuronChannel(b, neuronChannel(model));
  return reportedPlusProbability(b.z, g, reportedConfusion(model, g));
}
