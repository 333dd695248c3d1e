import { ConfigError, DataError } from "@natural-quantization/core";
import { TRAPPED_ION_BASIS } from "../compile-trapped-ion.js";
import type { InstructionProperties, QubitProperties, Target } from "../target.js";

/**
 * IonQ's backend and characterization records (API v0.4: `GET /backends/{backend}` and
 * `GET /backends/{backend}/characterizations/{UUID}`, schemas `Backend` and `Characterization`).
 * Fidelities are medians; timings are in seconds, as the reference states.
 */
export interface IonqBackend {
  readonly backend: string;
  readonly status?: string;
  readonly qubits: number;
  readonly characterization_id?: string | null;
  readonly degraded?: boolean;
  readonly supported_native_gates?: readonly string[];
}

interface Median {
  readonly median?: number | null;
}

export interface IonqCharacterization {
  readonly id?: string;
  readonly backend?: string;
  readonly date?: string;
  readonly qubits?: number;
  /** Unordered pairs on which a two-qubit gate may run (all pairs on IonQ's systems). */
  readonly connectivity?: readonly (readonly number[])[];
  readonly fidelity?: { readonly spam?: Median; readonly "1q"?: Median; readonly "2q"?: Median };
  readonly timing?: { readonly t1?: number | null; readonly t2?: number | null; readonly "1q"?: number | null; readonly "2q"?: number | null; readonly readout?: number | null; readonly reset?: number | null };
}

/** What the cost estimate needs of a characterization: gate, readout and reset times (seconds). */
export interface IonqTimings {
  readonly oneQubit: number | null;
  readonly twoQubit: number | null;
  readonly readout: number | null;
  readonly reset: number | null;
}

/**
 * A Target from an IonQ backend and (for a QPU) its latest characterization: native gates gpi,
 * gpi2, ms; the coupling map from `connectivity` (every pair, both directions, where it is
 * absent: IonQ's ions are all-to-all); per qubit T1, T2 and a readout error of 1 - SPAM fidelity in
 * both directions (IonQ reports one SPAM figure); per gate an error of 1 - the median 1q / 2q
 * fidelity and the 1q / 2q gate time. The ideal simulator has no characterization: no errors.
 * `maxQubits` caps the width (the ideal simulator's answers grow as 2^qubits).
 */
export function targetFromIonq(backend: IonqBackend, characterization: IonqCharacterization | null, maxQubits = Number.POSITIVE_INFINITY): Target {
  const reported = characterization?.qubits ?? backend.qubits;
  if (!Number.isInteger(reported) || reported < 1) throw new DataError(`IonQ backend ${backend.backend} reports ${String(reported)} qubits`);
  const numQubits = Math.min(reported, maxQubits);
  const f1 = fidelity(characterization?.fidelity?.["1q"]);
  const f2 = fidelity(characterization?.fidelity?.["2q"]);
  const spam = fidelity(characterization?.fidelity?.spam);
  const t = characterization?.timing ?? {};
  const seconds = (v: number | null | undefined): number | null => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null);
  const readoutError = spam === null ? 0 : 1 - spam;
  const qubits: QubitProperties[] = Array.from({ length: numQubits }, () => ({
    t1: seconds(t.t1),
    t2: seconds(t.t2),
    readoutP01: readoutError,
    readoutP10: readoutError,
    readoutDuration: seconds(t.readout),
  }));
  const pairs = connectivity(characterization?.connectivity, numQubits);
  const couplingMap: [number, number][] = pairs.flatMap(([a, b]): [number, number][] => [[a, b], [b, a]]);
  const instructions: InstructionProperties[] = [];
  for (let q = 0; q < numQubits; q++) {
    for (const gate of ["gpi", "gpi2"]) instructions.push({ gate, qubits: [q], error: f1 === null ? 0 : 1 - f1, duration: seconds(t["1q"]) });
  }
  for (const [a, b] of couplingMap) instructions.push({ gate: "ms", qubits: [a, b], error: f2 === null ? 0 : 1 - f2, duration: seconds(t["2q"]) });
  return {
    name: backend.backend,
    ...(characterization?.date ? { calibrationDate: characterization.date } : {}),
    numQubits,
    basisGates: [...TRAPPED_ION_BASIS],
    couplingMap,
    qubits,
    instructions,
  };
}

/** The timings a characterization gives (nulls where it gives none). */
export function ionqTimings(characterization: IonqCharacterization | null): IonqTimings {
  const t = characterization?.timing ?? {};
  const s = (v: number | null | undefined) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null);
  return { oneQubit: s(t["1q"]), twoQubit: s(t["2q"]), readout: s(t.readout), reset: s(t.reset) };
}

function fidelity(m: Median | undefined): number | null {
  const v = m?.median;
  if (v === undefined || v === null) return null;
  if (!(typeof v === "number" && v >= 0 && v <= 1)) throw new ConfigError("characterization fidelity median", v, "a number from 0 to 1");
  return v;
}

/** Unordered pairs within the first numQubits qubits: those listed, or all of them. */
function connectivity(listed: IonqCharacterization["connectivity"], numQubits: number): [number, number][] {
  const pairs: [number, number][] = [];
  if (listed && listed.length > 0) {
    const seen = new Set<string>();
    for (const p of listed) {
      const [a, b] = [Math.min(p[0], p[1]), Math.max(p[0], p[1])];
      if (!(Number.isInteger(a) && Number.isInteger(b)) || a === b || a < 0 || b >= numQubits || seen.has(`${a},${b}`)) continue;
      seen.add(`${a},${b}`);
      pairs.push([a, b]);
    }
    return pairs;
  }
  for (let a = 0; a < numQubits; a++) for (let b = a + 1; b < numQubits; b++) pairs.push([a, b]);
  return pairs;
}
