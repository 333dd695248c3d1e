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
  /** Most circuits one job may carry (IBM: PUBs per Sampler job). */
  readonly maxCircuitsPerJob: number;
  /** Most shots per circuit. */
  readonly maxShots: number;
}

/** One job: several programs, each run `shots` times. */
export interface CircuitJob {
  /** OpenQASM text, one program per circuit, in the provider's format. */
  readonly programs: readonly string[];
  /** Classical bits of each program (the length of its `c` register). */
  readonly clbits: readonly number[];
  readonly shots: number;
}

/** results[circuit][shot] is one shot's classical register: element i is c[i] (0 or 1). */
export type JobResult = readonly (readonly Uint8Array[])[];

/** What a provider reports while a job waits or runs. */
export interface JobStatus {
  readonly jobId: string;
  readonly status: "Queued" | "Running" | "Completed" | "Failed" | "Cancelled";
}

export interface QuantumProvider {
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  /** The device the programs run on, as data. */
  target(): Promise<Target>;
  /** Runs a job to the end and returns every shot's bits, in the order of job.programs. */
  run(job: CircuitJob, options?: { readonly signal?: AbortSignal; readonly onStatus?: (s: JobStatus) => void }): Promise<JobResult>;
}
