import { ConfigError } from "@natural-quantization/core";
import { networkTimeoutMs } from "@natural-quantization/core/node";
import type { CircuitJob, JobResult, JobStatus, ProviderCapabilities, Pub, QuantumProvider } from "../provider.js";
import type { Target } from "../target.js";
import { IamTokenSource } from "./iam-token.js";
import { IBM_DEFAULT_API_VERSION, ibmCredentialsFromEnv } from "./ibm-config.js";
import { IbmRuntimeError, NON_ISA_ERROR_CODE, nonIsaError, oneLine } from "./ibm-errors.js";
import { IbmRestClient } from "./ibm-rest.js";
import { targetFromIbm, type IbmBackendConfiguration, type IbmBackendProperties } from "./ibm-target.js";
import { DEFAULT_RETRY, sleep, type RetryPolicy } from "./http-retry.js";
import { estimateCost, packJobs, type CostEstimate } from "./job-packing.js";
import { validatePubs } from "./job-validation.js";
import { decodeSamplerResults } from "./sampler-results.js";
import { SubmissionPacer } from "./submission-pacer.js";

export interface IbmRuntimeProviderOptions {
  /** Backend (device) name, e.g. "ibm_torino". */
  readonly backend: string;
  /** Where IBM_CLOUD_API_KEY, IBM_QUANTUM_CRN, IBM_QUANTUM_URL, IBM_IAM_URL are read (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** `IBM-API-Version` header (default IBM_DEFAULT_API_VERSION). */
  readonly apiVersion?: string;
  /** Most PUBs per Sampler job (default 500). */
  readonly maxPubsPerJob?: number;
  /** Least time between two job submissions (default 12 s: IBM allows about 5 jobs a minute). */
  readonly submissionIntervalMs?: number;
  /** First status poll delay; later polls back off by 1.5x up to pollMaxMs (defaults 1 s and 30 s). */
  readonly pollInitialMs?: number;
  readonly pollMaxMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Progress lines (submissions, status changes, retries); never contain the key or a token. */
  readonly log?: (line: string) => void;
  readonly fetch?: typeof fetch;
  /**
   * Longest wait for IAM or IBM Quantum to answer (connecting included), or between two chunks
   * of an answer; a server silent that long is given up (default: NQ_NETWORK_TIMEOUT_SECONDS, 30 s).
   */
  readonly timeoutMs?: number;
}

/** IBM's documented Sampler limit: 10 million executions (circuits x shots) per job. */
const IBM_MAX_EXECUTIONS_PER_JOB = 10_000_000;
const IBM_MAX_SHOTS = 100_000;

/** What the ibm-runtime provider takes (known without credentials, e.g. for cost estimates). */
export function ibmRuntimeCapabilities(maxPubsPerJob = 500): ProviderCapabilities {
  return {
    format: "qasm3",
    nativeGatesOnly: true,
    parameterBindings: true,
    maxPubsPerJob,
    maxExecutionsPerJob: IBM_MAX_EXECUTIONS_PER_JOB,
    maxShots: IBM_MAX_SHOTS,
    noise: true,
  };
}

type ApiStatus = JobStatus["status"];
const STATUSES: readonly ApiStatus[] = ["Queued", "Running", "Completed", "Failed", "Cancelled"];

interface ApiJob {
  readonly id?: string;
  readonly status?: string;
  readonly state?: { readonly status?: string; readonly reason?: string; readonly reason_code?: number; readonly reasonCode?: number };
}

/**
 * `ibm-runtime`: runs ISA OpenQASM 3 programs on an IBM Quantum device through the Qiskit Runtime
 * REST API and its Sampler V2 primitive, over plain HTTP (Node's fetch). A CircuitJob is packed
 * into as few Sampler jobs as the limits allow, submissions are spaced for IBM's rate limit, each
 * job is polled with backoff until it ends, and its hex samples are decoded into bits.
 */
export class IbmRuntimeProvider implements QuantumProvider {
  readonly name = "ibm-runtime";
  readonly capabilities: ProviderCapabilities;
  readonly backend: string;
  private readonly rest: IbmRestClient;
  private readonly pacer: SubmissionPacer;
  private readonly pollInitialMs: number;
  private readonly pollMaxMs: number;
  private readonly log: (line: string) => void;
  private cachedTarget: Promise<Target> | null = null;

  constructor(options: IbmRuntimeProviderOptions) {
    if (!/^[A-Za-z0-9_.-]+$/.test(options.backend ?? "")) {
      throw new ConfigError("backend", options.backend, "an IBM backend name such as ibm_torino");
    }
    this.backend = options.backend;
    const maxPubs = options.maxPubsPerJob ?? 500;
    if (!Number.isInteger(maxPubs) || maxPubs < 1) throw new ConfigError("maxPubsPerJob", maxPubs, "an integer >= 1");
    this.capabilities = ibmRuntimeCapabilities(maxPubs);
    const { apiKey, endpoints } = ibmCredentialsFromEnv(options.env ?? process.env);
    const retry = { ...DEFAULT_RETRY, ...options.retry };
    const fetchImpl = options.fetch ?? fetch;
    this.log = options.log ?? (() => {});
    const timeoutMs = options.timeoutMs ?? networkTimeoutMs(options.env ?? process.env);
    const tokens = new IamTokenSource(apiKey, endpoints.iamUrl, retry, fetchImpl, Date.now, this.log, timeoutMs);
    this.rest = new IbmRestClient({
      endpoints,
      tokens,
      apiVersion: options.apiVersion ?? IBM_DEFAULT_API_VERSION,
      retry,
      fetchImpl,
      log: this.log,
      timeoutMs,
    });
    this.pacer = new SubmissionPacer(options.submissionIntervalMs ?? 12_000);
    this.pollInitialMs = options.pollInitialMs ?? 1000;
    this.pollMaxMs = options.pollMaxMs ?? 30_000;
  }

  /** The backend as a Target, from its configuration and properties (fetched once). */
  target(): Promise<Target> {
    this.cachedTarget ??= (async () => {
      const base = `/backends/${encodeURIComponent(this.backend)}`;
      const configuration = await this.rest.get<IbmBackendConfiguration>(`${base}/configuration`);
      const properties = await this.rest.get<IbmBackendProperties>(`${base}/properties`);
      return targetFromIbm(configuration, properties);
    })().catch((e: unknown) => {
      this.cachedTarget = null;
      throw e;
    });
    return this.cachedTarget;
  }

  /** Jobs, PUBs, circuits and shots `run(job)` would use, for printing (and confirming) first. */
  estimateCost(job: CircuitJob): CostEstimate {
    validatePubs(job, this.capabilities);
    return estimateCost(job, this.capabilities);
  }

  async run(
    job: CircuitJob,
    options: { readonly signal?: AbortSignal; readonly onStatus?: (s: JobStatus) => void } = {},
  ): Promise<JobResult> {
    validatePubs(job, this.capabilities);
    const parts = packJobs(job, this.capabilities);
    const ids: string[] = [];
    try {
      for (const part of parts) {
        await this.pacer.next(options.signal);
        const created = await this.rest.post<ApiJob>("/jobs", samplerJobBody(this.backend, part), options.signal);
        if (typeof created?.id !== "string") throw new IbmRuntimeError("IBM Quantum created a job but returned no id", 200);
        ids.push(created.id);
        this.log(`submitted IBM Quantum job ${created.id} to ${this.backend} (${part.pubs.length} PUBs, ${part.shots} shots each)`);
      }
      const results: JobResult[] = [];
      for (let i = 0; i < parts.length; i++) {
        await this.waitUntilCompleted(ids[i], options.signal, options.onStatus);
        const json = await this.rest.get<unknown>(`/jobs/${encodeURIComponent(ids[i])}/results`, options.signal);
        results.push(decodeSamplerResults(json, parts[i].pubs, parts[i].shots));
      }
      return results.flat();
    } catch (e) {
      if (options.signal?.aborted) await this.cancelQuietly(ids);
      throw e;
    }
  }

  private async waitUntilCompleted(id: string, signal?: AbortSignal, onStatus?: (s: JobStatus) => void): Promise<void> {
    let delay = this.pollInitialMs;
    let last: ApiStatus | null = null;
    for (;;) {
      const job = await this.rest.get<ApiJob>(`/jobs/${encodeURIComponent(id)}`, signal);
      const status = statusOf(job);
      if (status !== last) {
        last = status;
        onStatus?.({ jobId: id, status });
        this.log(`IBM Quantum job ${id}: ${status}`);
      }
      if (status === "Completed") return;
      if (status === "Failed" || status === "Cancelled") throw jobEndedError(id, status, job);
      await sleep(delay, signal);
      delay = Math.min(this.pollMaxMs, delay * 1.5);
    }
  }

  private async cancelQuietly(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      try {
        await this.rest.post(`/jobs/${encodeURIComponent(id)}/cancel`, {});
        this.log(`cancelled IBM Quantum job ${id}`);
      } catch {
        // Already finished, or unreachable: nothing more to do.
      }
    }
  }
}

/** The `POST /jobs` body of a Sampler V2 job: each PUB is [program, parameter rows or null, shots]. */
export function samplerJobBody(backend: string, job: CircuitJob): {
  program_id: "sampler";
  backend: string;
  params: { pubs: [string, (readonly (readonly number[])[]) | null, number][]; version: 2; options: { default_shots: number } };
} {
  const pubs = job.pubs.map((p: Pub): [string, (readonly (readonly number[])[]) | null, number] => [p.program, p.bindings, job.shots]);
  return { program_id: "sampler", backend, params: { pubs, version: 2, options: { default_shots: job.shots } } };
}

function statusOf(job: ApiJob): ApiStatus {
  const raw = job?.state?.status ?? job?.status ?? "";
  const found = STATUSES.find((s) => s.toLowerCase() === raw.toLowerCase());
  if (!found) throw new IbmRuntimeError(`IBM Quantum reported an unknown job status "${oneLine(String(raw))}"`, 200);
  return found;
}

function jobEndedError(id: string, status: "Failed" | "Cancelled", job: ApiJob): IbmRuntimeError {
  const code = job.state?.reason_code ?? job.state?.reasonCode ?? null;
  const reason = job.state?.reason ? oneLine(job.state.reason) : null;
  if (code === NON_ISA_ERROR_CODE) return nonIsaError(reason);
  const what = status === "Failed" ? "failed" : "was cancelled";
  return new IbmRuntimeError(
    `IBM Quantum job ${id} ${what}${code !== null ? ` (error ${code})` : ""}${reason ? `: ${reason}` : ""}`,
    0,
    code === null ? null : String(code),
  );
}
