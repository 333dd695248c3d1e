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

export interface QuantumProvider {
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  /** The device the programs run on, as data. */
  target(): Promise<Target>;
  /** Runs a job to the end and returns every shot's bits, in the order of job.pubs. */
  run(job: CircuitJob, options?: RunOptions): Promise<JobResult>;
  /** Ends what a run left open (IBM: the batch session); the provider may be used no more. */
  close?(): Promise<void>;
}
