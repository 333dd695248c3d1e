import { ConfigError, DataError } from "@natural-quantization/core";

/**
 * A noise model as data: what happens to every neuron qubit between its rotation and its
 * measurement, and to the measured bit.
 *
 * Order, fixed (the channels do not commute in general): after the neuron's `ry`,
 *   1. depolarizing (lambda),
 *   2. amplitude damping (gamma),
 *   3. thermal relaxation (T1, T2 over `time`),
 * then the measurement: the neuron itself (g = pi/2), or the ancilla weak measurement (g < pi/2),
 * where the ancilla is depolarized (`ancillaDepolarizing`) just before it is read;
 *   4. readout error on the measured bit (neuron or ancilla alike).
 * Every neuron qubit gets the same rates.
 */
export interface NoiseModel {
  /** lambda in [0, 4/3]: rho -> (1 - lambda) rho + lambda I/2. */
  readonly depolarizing: number;
  /** gamma in [0, 1]: |1> decays to |0> with probability gamma. */
  readonly amplitudeDamping: number;
  /** Relaxation toward |0> over `time` seconds; null: none. */
  readonly thermalRelaxation: ThermalRelaxation | null;
  /** Confusion of the measured bit. */
  readonly readout: ReadoutConfusion;
  /**
   * lambda_a in [0, 4/3]: depolarizing of the Model 2 ancilla just before its measurement (layers
   * with g < pi/2 only). Before a Z-basis measurement this is exactly a flip of the ancilla's bit
   * with probability lambda_a / 2 (X and Y flip it, Z does nothing).
   */
  readonly ancillaDepolarizing: number;
}

export interface ThermalRelaxation {
  /** Energy relaxation time T1, seconds (> 0). */
  readonly t1: number;
  /** Dephasing time T2, seconds (0 < T2 <= 2 T1). */
  readonly t2: number;
  /** How long the qubit relaxes, seconds (>= 0). */
  readonly time: number;
}

export interface ReadoutConfusion {
  /** P(read 1 | the qubit was 0), i.e. P(report m' = -1 | true m' = +1). */
  readonly p01: number;
  /** P(read 0 | the qubit was 1), i.e. P(report m' = +1 | true m' = -1). */
  readonly p10: number;
}

/** No noise at all. */
export const NOISELESS: NoiseModel = {
  depolarizing: 0,
  amplitudeDamping: 0,
  thermalRelaxation: null,
  readout: { p01: 0, p10: 0 },
  ancillaDepolarizing: 0,
};

/** What a noise file may hold: every field optional (absent means no such noise). */
export interface NoiseModelInput {
  readonly depolarizing?: number;
  readonly amplitudeDamping?: number;
  readonly thermalRelaxation?: ThermalRelaxation | null;
  readonly readout?: Partial<ReadoutConfusion>;
  readonly ancillaDepolarizing?: number;
}

const MAX_DEPOLARIZING = 4 / 3;
const TOP_KEYS = ["depolarizing", "amplitudeDamping", "thermalRelaxation", "readout", "ancillaDepolarizing"] as const;

/** A noise model from rates set in code, validated like a noise file. */
export function noiseModel(input: NoiseModelInput, where = "noise"): NoiseModel {
  return validateNoiseModel(input, where);
}

/** A validated noise model from an untrusted value (a parsed noise file); errors name the field. */
export function validateNoiseModel(input: unknown, where = "noise"): NoiseModel {
  const obj = record(input, where);
  knownKeys(obj, TOP_KEYS, where);
  const readout = obj.readout === undefined ? {} : record(obj.readout, `${where}.readout`);
  knownKeys(readout, ["p01", "p10"], `${where}.readout`);
  return {
    depolarizing: rate(obj.depolarizing, `${where}.depolarizing`, MAX_DEPOLARIZING, "0 <= lambda <= 4/3"),
    amplitudeDamping: rate(obj.amplitudeDamping, `${where}.amplitudeDamping`, 1, "0 <= gamma <= 1"),
    thermalRelaxation: obj.thermalRelaxation == null ? null : thermal(obj.thermalRelaxation, `${where}.thermalRelaxation`),
    readout: {
      p01: rate(readout.p01, `${where}.readout.p01`, 1, "a probability 0..1"),
      p10: rate(readout.p10, `${where}.readout.p10`, 1, "a probability 0..1"),
    },
    ancillaDepolarizing: rate(obj.ancillaDepolarizing, `${where}.ancillaDepolarizing`, MAX_DEPOLARIZING, "0 <= lambda_a <= 4/3"),
  };
}

/** The noise model in the text of a JSON noise file; `source` names the file in errors. */
export function parseNoiseModel(text: string, source: string): NoiseModel {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${source} is not JSON: ${(e as Error).message}`);
  }
  return validateNoiseModel(value, "noise");
}

/** True when the model changes nothing (every rate 0). */
export function isNoiseless(model: NoiseModel): boolean {
  const t = model.thermalRelaxation;
  return model.depolarizing === 0 && model.amplitudeDamping === 0 && (t === null || t.time === 0) &&
    model.readout.p01 === 0 && model.readout.p10 === 0 && model.ancillaDepolarizing === 0;
}

function thermal(value: unknown, where: string): ThermalRelaxation {
  const obj = record(value, where);
  knownKeys(obj, ["t1", "t2", "time"], where);
  const t1 = positive(obj.t1, `${where}.t1`);
  const t2 = positive(obj.t2, `${where}.t2`);
  if (t2 > 2 * t1) throw new ConfigError(`${where}.t2`, t2, `0 < T2 <= 2 T1 = ${2 * t1} seconds`);
  const time = obj.time;
  if (typeof time !== "number" || !Number.isFinite(time) || time < 0) throw new ConfigError(`${where}.time`, time, "seconds >= 0");
  return { t1, t2, time };
}

function rate(value: unknown, field: string, max: number, allowed: string): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max) throw new ConfigError(field, value, allowed);
  return value;
}

function positive(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new ConfigError(field, value, "seconds > 0");
  return value;
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ConfigError(where, JSON.stringify(value), "a JSON object");
  return value as Record<string, unknown>;
}

function knownKeys(obj: Record<string, unknown>, keys: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!keys.includes(k)) throw new ConfigError(`${where}.${k}`, k, `one of the fields ${keys.join(", ")}`);
  }
}
