import type { Circuit } from "./circuit.js";
import type { Target } from "./target.js";

/**
 * A quantum provider runs OpenQASM programs and returns their measured bits, shot by shot.
 * Providers are picked by name (`local`, `ibm-runtime`, or a contributed one) like backends.
 */
export type QasmFormat = "qasm2" | "qasm3";

export interface ProviderCapabilities {
  /** The OpenQASM version the provider reads. */
  readonly format: QasmFormat;
  /** Circuits must be in the target's native gates on physical qubits (IBM: ISA circuits). */
  readonly nativeGatesOnly: boolean;
  /**
   * Takes parameterised programs (OpenQASM 3 `input float[64] p0;` ...) with rows of values to bind.
   * Where false, every Pub has `bindings: null` and a concrete program.
   */
  readonly parameterBindings: boolean;
  /** Most Pubs one job may carry (IBM: PUBs per Sampler job). */
  readonly maxPubsPerJob: number;
  /** Most circuit executions one job may carry: sum over Pubs of binding rows x shots. */
  readonly maxExecutionsPerJob: number;
  /** Most bytes of one job's request (its programs and parameter rows as JSON); Infinity where nothing limits it. */
  readonly maxBytesPerJob: number;
  /** Most shots per circuit. */
  readonly maxShots: number;
  /** Runs on a physical device, whose noise is its own (false for noise-free simulators). */
  readonly noise: boolean;
}

/**
 * One primitive unified bloc (after Qiskit's Sampler V2): a program, optionally with rows of
 * parameter values, each row run `shots` times.
 */
export interface Pub {
  /** OpenQASM text in the provider's format. */
  readonly program: string;
  /** Classical bits of the program (the length of its `c` register). */
  readonly clbits: number;
  /** Rows of values for the program's `input float[64]` parameters, in declaration order; null: none. */
  readonly bindings: readonly (readonly number[])[] | null;
}

export interface CircuitJob {
  readonly pubs: readonly Pub[];
  readonly shots: number;
}

/**
 * results[pub][row][shot] is one shot's classical register: element i is c[i] (0 or 1).
 * A Pub without bindings has exactly one row.
 */
export type JobResult = readonly (readonly (readonly Uint8Array[])[])[];

/** What a provider reports while a job waits or runs. */
export interface JobStatus {
  readonly jobId: string;
  readonly status: "Queued" | "Running" | "Completed" | "Failed" | "Cancelled";
}

/**
 * What seeds a simulating provider's shots, taken from the run context of the layer call: Pub p of
 * the job draws its shots from core's counter-based stream (seed, "shots", firstPub + p, stream).
 * The same run seed thus gives the same shots whatever else ran before; devices ignore it.
 */
export interface ShotSeed {
  /** The run seed (unsigned 32-bit). */
  readonly seed: number;
  /** The call within the run (a hash of its forward pass, layer and row offset). */
  readonly stream: number;
  /** Index of the job's first Pub within the call (a call may be split into several jobs). */
  readonly firstPub: number;
}

/** How one job is run. */
export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly onStatus?: (s: JobStatus) => void;
  /** Seeds a simulating provider's shots (see ShotSeed). */
  readonly seed?: ShotSeed;
}

/**
 * What a provider charges, estimated before anything is submitted. IBM bills QPU time, so its
 * model estimates QPU seconds; a free simulator counts executions and asks no confirmation.
 */
export interface CostModel {
  /** The unit of `estimate`, e.g. "QPU seconds" or "circuit executions". */
  readonly unit: string;
  /** false for a free provider: no confirmation is asked however large the run. */
  readonly paid: boolean;
  /** A paid run needs the user's confirmation (`--yes`) once its estimate passes this, in `unit`. */
  readonly confirmAbove: number;
  /** One line: how the estimate is made. */
  readonly description: string;
  /** The estimate of one logical job, in `unit`. */
  estimate(work: CostedWork): number;
}

/** A job as the cost model sees it: the Pubs, and each Pub's compiled circuit (its template for a parameterised Pub). */
export interface CostedWork {
  readonly job: CircuitJob;
  /** circuits[p] is Pub p's circuit in the target's native gates, as emitted. */
  readonly circuits: readonly Circuit[];
  readonly target: Target;
}

/** What the provider's service reported as used, after jobs ran (IBM: the jobs' metrics). */
export interface ProviderUsage {
  readonly amount: number;
  /** The cost model's unit. */
  readonly unit: string;
  /** Where the figure comes from, for the report, e.g. "the jobs' metrics (usage.quantum_seconds)". */
  readonly source: string;
  /** Jobs the figure covers, of those run. */
  readonly jobs: number;
}

export interface QuantumProvider {
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  /** What the service reported as used so far (null: it reports nothing). */
  usage?(): ProviderUsage | null;
  /** The device the programs run on, as data. */
  target(): Promise<Target>;
  /** Runs a job to the end and returns every shot's bits, in the order of job.pubs. */
  run(job: CircuitJob, options?: RunOptions): Promise<JobResult>;
  /** Ends what a run left open (IBM: the batch session); the provider may be used no more. */
  close?(): Promise<void>;
}
