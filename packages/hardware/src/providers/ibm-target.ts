import { DataError } from "@natural-quantization/core";
import { DEFAULT_GATE_SET, type InstructionProperties, type QubitProperties, type Target } from "../target.js";

/** A value IBM reports with its unit, e.g. { name: "T1", unit: "us", value: 224.1 }. */
export interface IbmNduv {
  readonly name: string;
  readonly unit?: string;
  /** A number; `operational` entries may carry a boolean. */
  readonly value: number;
  readonly date?: string;
}

/** The fields of `GET /backends/{name}/configuration` that a Target needs (others are ignored). */
export interface IbmBackendConfiguration {
  readonly backend_name: string;
  readonly n_qubits: number;
  readonly basis_gates: readonly string[];
  readonly coupling_map?: readonly (readonly number[])[] | null;
  readonly max_shots?: number;
  /** Microseconds between executions when the job sets none (Qiskit's BackendConfiguration: rep delays in µs). */
  readonly default_rep_delay?: number;
  /** [lowest, highest] repetition delay a job may choose, microseconds. */
  readonly rep_delay_range?: readonly number[];
}

/** The fields of `GET /backends/{name}/properties` that a Target needs. */
export interface IbmBackendProperties {
  readonly backend_name?: string;
  /** ISO date of the calibration the figures come from. */
  readonly last_update_date?: string;
  /** One list of measured values per physical qubit. */
  readonly qubits: readonly (readonly IbmNduv[])[];
  readonly gates: readonly {
    readonly gate: string;
    readonly qubits: readonly number[];
    readonly parameters: readonly IbmNduv[];
    readonly name?: string;
  }[];
}

/** Names in basis_gates that are not gates a circuit is compiled to. */
const NOT_COMPILED_TO = new Set(["id", "delay", "reset", "measure", "barrier"]);

/**
 * A Target from IBM's backend configuration and properties: qubit count, basis gates (without
 * `id`, `delay`, `reset`, `measure`), the directed coupling map, per-qubit T1/T2,
 * readout errors (prob_meas1_prep0, prob_meas0_prep1; readout_error for both when those are
 * missing) and readout_length, each native gate's gate_error and gate_length, and the
 * `operational` flag of qubits and gates (faulty elements are kept, marked, so the layout can
 * avoid them and say why), and default_rep_delay (µs) as the time between executions. Times are converted to seconds from the unit IBM states (s, ms, us, ns).
 */
export function targetFromIbm(configuration: IbmBackendConfiguration, properties: IbmBackendProperties): Target {
  const numQubits = configuration.n_qubits;
  if (!Number.isInteger(numQubits) || numQubits < 1) {
    throw new DataError(`IBM backend configuration: n_qubits is ${String(numQubits)}, expected a positive integer`);
  }
  if (!Array.isArray(configuration.basis_gates)) {
    throw new DataError("IBM backend configuration: basis_gates is missing");
  }
  if (!Array.isArray(properties.qubits) || properties.qubits.length !== numQubits) {
    throw new DataError(
      `IBM backend properties: qubits has ${Array.isArray(properties.qubits) ? properties.qubits.length : "no"} entries, expected n_qubits = ${numQubits}`,
    );
  }
  const basisGates = configuration.basis_gates.filter((g) => !NOT_COMPILED_TO.has(g));
  const couplingMap = (configuration.coupling_map ?? []).map((pair, i) => {
    if (pair.length !== 2 || !pair.every((q) => Number.isInteger(q) && q >= 0 && q < numQubits)) {
      throw new DataError(`IBM backend configuration: coupling_map[${i}] = ${JSON.stringify(pair)} is not a pair of qubits below ${numQubits}`);
    }
    return [pair[0], pair[1]] as const;
  });
  const qubitValues: readonly (readonly IbmNduv[])[] = properties.qubits;
  const qubits: QubitProperties[] = qubitValues.map((values, q) => {
    const find = (name: string) => values.find((v: IbmNduv) => v.name === name);
    const readoutError = find("readout_error")?.value ?? 0;
    return {
      t1: seconds(find("T1"), `qubits[${q}].T1`),
      t2: seconds(find("T2"), `qubits[${q}].T2`),
      readoutP01: find("prob_meas1_prep0")?.value ?? readoutError,
      readoutP10: find("prob_meas0_prep1")?.value ?? readoutError,
      readoutDuration: seconds(find("readout_length"), `qubits[${q}].readout_length`),
      ...notOperational(find("operational")),
    };
  });
  const instructions: InstructionProperties[] = properties.gates
    .filter((g) => basisGates.includes(g.gate))
    .map((g) => ({
      gate: g.gate,
      qubits: [...g.qubits],
      error: g.parameters.find((p) => p.name === "gate_error")?.value ?? 0,
      duration: seconds(g.parameters.find((p) => p.name === "gate_length"), `gates ${g.name ?? g.gate}.gate_length`),
      ...notOperational(g.parameters.find((p) => p.name === "operational")),
    }));
  const date = properties.last_update_date;
  const repDelay = configuration.default_rep_delay;
  if (repDelay !== undefined && !(typeof repDelay === "number" && Number.isFinite(repDelay) && repDelay >= 0)) {
    throw new DataError(`IBM backend configuration: default_rep_delay is ${String(repDelay)}, expected microseconds >= 0`);
  }
  return {
    name: configuration.backend_name,
    ...(typeof date === "string" ? { calibrationDate: date } : {}),
    numQubits,
    basisGates,
    gateSet: DEFAULT_GATE_SET,
    repDelay: repDelay === undefined ? null : repDelay * 1e-6,
    couplingMap,
    qubits,
    instructions,
  };
}

/**
 * IBM marks an out-of-service qubit or gate with an `operational` entry of value 0 (or false) in
 * its parameter list; without the entry it is in service (as Qiskit's BackendProperties reads it).
 */
function notOperational(v: { readonly value: number | boolean } | undefined): { operational?: false } {
  return v !== undefined && !v.value ? { operational: false } : {};
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, ms: 1e-3, us: 1e-6, "µs": 1e-6, ns: 1e-9 };

function seconds(v: IbmNduv | undefined, field: string): number | null {
  if (v === undefined || typeof v.value !== "number" || !Number.isFinite(v.value)) return null;
  const unit = v.unit ?? "s";
  const scale = UNIT_SECONDS[unit];
  if (scale === undefined) throw new DataError(`IBM backend properties: ${field} has unit "${unit}" (expected one of s, ms, us, ns)`);
  return v.value * scale;
}
