/**
 * A device as data (after Qiskit's Target): qubits, native gates, the coupling map, and
 * error rates and durations per qubit and per gate, faulty elements included (an error of 1 or
 * `operational: false`; see device-health.ts for what the layout avoids). Read from a JSON file
 * or from a provider's backend configuration and properties.
 */
export interface QubitProperties {
  /** Energy relaxation time T1, seconds (null when unknown). */
  readonly t1: number | null;
  /** Dephasing time T2, seconds (null when unknown). */
  readonly t2: number | null;
  /** P(read 1 | prepared 0). */
  readonly readoutP01: number;
  /** P(read 0 | prepared 1). */
  readonly readoutP10: number;
  /** Duration of a measurement, seconds (null when unknown). */
  readonly readoutDuration: number | null;
  /** false when the provider reports the qubit out of service (IBM: `operational` 0); absent means true. */
  readonly operational?: boolean;
}

/** One native instruction on specific qubits (a pair for two-qubit gates, in the order it acts). */
export interface InstructionProperties {
  readonly gate: string;
  readonly qubits: readonly number[];
  /** Error per gate (depolarizing-equivalent), 0 when unknown. */
  readonly error: number;
  /** Seconds, null when unknown. */
  readonly duration: number | null;
  /** false when the provider reports this gate on these qubits out of service; absent means true. */
  readonly operational?: boolean;
}

export interface Target {
  readonly name: string;
  /** When the provider last calibrated the figures below (IBM: properties.last_update_date), if known. */
  readonly calibrationDate?: string;
  readonly numQubits: number;
  /** Native gate names, e.g. ["rz", "sx", "x", "cz"] (Heron) or ["rz", "sx", "x", "ecr"] (Eagle). */
  readonly basisGates: readonly string[];
  /**
   * The gate set the device takes, by the name of the compiler that translates circuits into it
   * (see compile.ts; registerGateSetCompiler adds one). Absent: {@link DEFAULT_GATE_SET}, rz + sx
   * with cz, ecr or cx, which also passes textbook gates through where a target lists them.
   */
  readonly gateSet?: string;
  /**
   * Seconds the device waits between two executions (IBM: default_rep_delay of the backend
   * configuration); null or absent when unknown. Part of a device's time per shot, so of its cost.
   */
  readonly repDelay?: number | null;
  /** Directed pairs [control, target] on which the two-qubit native gate may act. */
  readonly couplingMap: readonly (readonly [number, number])[];
  /** One entry per qubit, index = physical qubit. */
  readonly qubits: readonly QubitProperties[];
  readonly instructions: readonly InstructionProperties[];
}

/** The gate set of a target that names none: rz, sx (x) and one of cz, ecr, cx. */
export const DEFAULT_GATE_SET = "rz-sx";
