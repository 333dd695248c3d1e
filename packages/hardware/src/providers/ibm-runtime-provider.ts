import { ConfigError } from "@natural-quantization/core";
import { networkTimeoutMs } from "@natural-quantization/core/node";
import type { CircuitJob, JobResult, JobStatus, ProviderCapabilities, ProviderUsage, Pub, QuantumProvider, RunOptions } from "../provider.js";
import { IBM_COST_MODEL } from "./ibm-cost.js";
import type { Target } from "../target.js";
import { IamTokenSource } from "./iam-token.js";
import { IBM_DEFAULT_API_VERSION, ibmCredentialsFromEnv } from "./ibm-config.js";
import { JobLedger, type LedgerEntry } from "../job-ledger.js";
import { IbmRuntimeError, NON_ISA_ERROR_CODE, nonIsaError, oneLine, OutcomeUnknownError, PayloadTooLargeError } from "./ibm-errors.js";
import { IbmRestClient } from "./ibm-rest.js";
import { targetFromIbm, type IbmBackendConfiguration, type IbmBackendProperties } from "./ibm-target.js";
import { DEFAULT_RETRY } from "./http-retry.js";
import { estimateCost, packJobs, type CostEstimate } from "../job-packing.js";
import { findLostJob, lookupDelays } from "./lost-answer.js";
import type { PaidProviderOptions } from "./paid-provider-options.js";
import { validatePubs } from "./job-validation.js";
import { decodeSamplerResults, samplerEncoding } from "./sampler-results.js";
import { SubmissionPacer } from "./submission-pacer.js";
import { pollUntilCompleted, type PolledJob } from "./job-polling.js";

/** ibm-runtime's options (IBM's defaults: 500 PUBs and IBM_MAX_BYTES_PER_JOB per job; the key from IBM_CLOUD_API_KEY and IBM_QUANTUM_CRN). */
export interface IbmRuntimeProviderOptions extends PaidProviderOptions {
  /** Backend (device) name, e.g. "ibm_torino". */
  readonly backend: string;
  /** `IBM-API-Version` header (default IBM_DEFAULT_API_VERSION). */
  readonly apiVersion?: string;
  /** Least time between two job submissions (default 12 s: IBM allows about 5 jobs a minute). */
  readonly submissionIntervalMs?: number;
  /** Run the jobs in one batch session (`POST /sessions`, mode batch), so they queue once (default true). */
  readonly batch?: boolean;
}

/** One part of a run handed to the service: what it carries and its ledger entry. */
interface Submitted {
  readonly part: CircuitJob;
  readonly entry: LedgerEntry;
}

/** IBM's documented Sampler limit: 10 million executions (circuits x shots) per job. */
const IBM_MAX_EXECUTIONS_PER_JOB = 10_000_000;
const IBM_MAX_SHOTS = 100_000;
/**
 * Bytes of one job request. IBM documents no size limit for `POST /jobs` (its own client only logs
 * the payload size); 8 MiB keeps each request well below what HTTP gateways commonly take, and a
 * 413 answer splits a job further.
 */
export const IBM_MAX_BYTES_PER_JOB = 8 * 1024 * 1024;

/** What the ibm-runtime provider takes (known without credentials, e.g. for cost estimates). */
export function ibmRuntimeCapabilities(maxPubsPerJob = 500, maxBytesPerJob = IBM_MAX_BYTES_PER_JOB): ProviderCapabilities {
  return {
    format: "qasm3",
    nativeGatesOnly: true,
    parameterBindings: true,
    maxPubsPerJob,
    maxExecutionsPerJob: IBM_MAX_EXECUTIONS_PER_JOB,
    maxBytesPerJob,
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
  private readonly lookupDelaysMs: readonly number[];
  private readonly log: (line: string) => void;
  private cachedTarget: Promise<Target> | null = null;
  private readonly ledger: JobLedger | null;
  private readonly batch: boolean;
  private session: Promise<string> | null = null;
  private usedSeconds = 0;
  private meteredJobs = 0;

  constructor(options: IbmRuntimeProviderOptions) {
    if (!/^[A-Za-z0-9_.-]+$/.test(options.backend ?? "")) {
      throw new ConfigError("backend", options.backend, "an IBM backend name such as ibm_torino");
    }
    this.backend = options.backend;
    this.lookupDelaysMs = lookupDelays(options.lookupDelaysMs);
    const maxPubs = options.maxPubsPerJob ?? 500;
    if (!Number.isInteger(maxPubs) || maxPubs < 1) throw new ConfigError("maxPubsPerJob", maxPubs, "an integer >= 1");
    const maxBytes = options.maxBytesPerJob ?? IBM_MAX_BYTES_PER_JOB;
    if (!(maxBytes >= 1)) throw new ConfigError("maxBytesPerJob", maxBytes, "a number of bytes >= 1");
    this.capabilities = ibmRuntimeCapabilities(maxPubs, maxBytes);
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
    this.ledger = options.ledger ?? null;
    this.batch = options.batch ?? true;
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
    options: RunOptions = {},
  ): Promise<JobResult> {
    validatePubs(job, this.capabilities);
    const submitted: Submitted[] = [];
    try {
      for (const part of packJobs(job, this.capabilities)) submitted.push(...(await this.submit(part, options.signal)));
      const results: JobResult[] = [];
      for (const s of submitted) results.push(await this.collect(s, options.signal, options.onStatus));
      return results.flat();
    } catch (e) {
      if (options.signal?.aborted) {
        await this.cancelQuietly(submitted.filter((s) => !s.entry.resultSaved).map((s) => s.entry.jobId));
        await this.close();
      }
      throw e;
    }
  }

  /** QPU seconds the finished jobs' metrics reported so far (IBM's usage.quantum_seconds). */
  get quantumSecondsUsed(): number {
    return this.usedSeconds;
  }

  /** The QPU seconds the jobs' metrics reported, over the jobs whose metrics had them (null before any). */
  usage(): ProviderUsage | null {
    if (this.meteredJobs === 0) return null;
    return { amount: this.usedSeconds, unit: IBM_COST_MODEL.unit, source: "the jobs' metrics (GET /jobs/{id}/metrics, usage.quantum_seconds)", jobs: this.meteredJobs };
  }

  /** Ends the batch session, if one was opened: it accepts no more jobs (those submitted still run). */
  async close(): Promise<void> {
    const session = this.session;
    this.session = null;
    if (!session) return;
    const id = await session.catch(() => null);
    if (id === null) return;
    try {
      await this.rest.patch(`/sessions/${encodeURIComponent(id)}`, { accepting_jobs: false });
      this.log(`closed IBM Quantum batch session ${id}`);
    } catch (e) {
      this.log(`could not close IBM Quantum batch session ${id} (${oneLine((e as Error).message)}); it closes by itself when idle`);
    }
  }

  /**
   * Submits one part (or, after a 413, its halves), unless the ledger shows it was submitted
   * already: then the known job is followed, or, where the answer to the submission was lost,
   * looked up by its tag. Every submission is on disk before its request is sent.
   */
  private async submit(part: CircuitJob, signal?: AbortSignal): Promise<Submitted[]> {
    const body = samplerJobBody(this.backend, part);
    const key = JobLedger.keyOf(this.name, this.backend, body);
    const known = this.ledger?.entry(key) ?? null;
    if (known?.jobId) {
      this.log(`IBM Quantum job ${known.jobId}: submitted by an earlier run; ${known.resultSaved ? "its result is on disk" : "following it"}`);
      return [{ part, entry: known }];
    }
    const tag = known?.tag ?? JobLedger.newTag();
    if (known) {
      const found = await this.findByTag(tag, signal);
      if (found) return [{ part, entry: this.remember({ ...known, jobId: found }) }];
    }
    const entry = this.remember({ key, tag, provider: this.name, device: this.backend, jobId: null, submittedAt: new Date().toISOString(), resultSaved: false });
    for (let attempt = 0; ; attempt++) {
      await this.pacer.next(signal);
      try {
        const sessionId = await this.sessionId(signal);
        const created = await this.rest.postOnce<ApiJob>("/jobs", { ...body, tags: [tag], ...(sessionId ? { session_id: sessionId } : {}) }, signal);
        if (typeof created?.id !== "string") throw new IbmRuntimeError("IBM Quantum created a job but returned no id", 200);
        this.log(`submitted IBM Quantum job ${created.id} to ${this.backend} (${part.pubs.length} PUBs, ${part.shots} shots each)`);
        return [{ part, entry: this.remember({ ...entry, jobId: created.id }) }];
      } catch (e) {
        if (e instanceof PayloadTooLargeError && part.pubs.length > 1) {
          const half = Math.ceil(part.pubs.length / 2);
          this.log(`${e.message}; splitting it into two jobs of ${half} and ${part.pubs.length - half} PUBs`);
          const first = await this.submit({ pubs: part.pubs.slice(0, half), shots: part.shots }, signal);
          return [...first, ...(await this.submit({ pubs: part.pubs.slice(half), shots: part.shots }, signal))];
        }
        if (!(e instanceof OutcomeUnknownError) || attempt >= 3) throw e;
        // The job may exist: find it by its tag before anything is submitted again.
        this.log(`${e.message}; looking the job up by its tag ${tag}`);
        const found = await findLostJob(() => this.findByTag(tag, signal), this.lookupDelaysMs, { tag: `the tag ${tag}`, service: "IBM Quantum", log: this.log }, signal);
        if (found) return [{ part, entry: this.remember({ ...entry, jobId: found }) }];
      }
    }
  }

  /** Waits for a job, keeps its raw result on disk, reads its usage, then decodes it. */
  private async collect(s: Submitted, signal?: AbortSignal, onStatus?: (s: JobStatus) => void): Promise<JobResult> {
    const id = s.entry.jobId!;
    let raw = this.ledger?.result(s.entry) ?? null;
    let entry = s.entry;
    if (raw === null) {
      await this.waitUntilCompleted(id, signal, onStatus);
      raw = JSON.stringify(await this.rest.get<unknown>(`/jobs/${encodeURIComponent(id)}/results`, signal));
      entry = this.ledger ? this.ledger.saveResult(entry, raw) : { ...entry, resultSaved: true };
      entry = this.remember({ ...entry, ...(await this.metricsOf(id, signal)) });
    }
    if (entry.quantumSeconds !== undefined) {
      this.usedSeconds += entry.quantumSeconds;
      this.meteredJobs++;
    }
    const json: unknown = JSON.parse(raw);
    this.log(`IBM Quantum job ${id}: results in ${samplerEncoding(json)}`);
    return decodeSamplerResults(json, s.part.pubs, s.part.shots);
  }

  /** The job's QPU seconds from its metrics, when the service reports them. */
  private async metricsOf(id: string, signal?: AbortSignal): Promise<{ quantumSeconds?: number }> {
    try {
      const metrics = await this.rest.get<{ usage?: { quantum_seconds?: unknown } }>(`/jobs/${encodeURIComponent(id)}/metrics`, signal);
      const seconds = metrics?.usage?.quantum_seconds;
      if (typeof seconds === "number" && Number.isFinite(seconds)) {
        this.log(`IBM Quantum job ${id}: ${seconds} QPU seconds`);
        return { quantumSeconds: seconds };
      }
    } catch (e) {
      if (signal?.aborted) throw e;
    }
    this.log(`IBM Quantum job ${id}: its metrics report no QPU seconds`);
    return {};
  }

  /** The id of the job carrying `tag`, if the service has one. */
  private async findByTag(tag: string, signal?: AbortSignal): Promise<string | null> {
    const list = await this.rest.get<{ jobs?: ApiJob[] }>(`/jobs?tags=${encodeURIComponent(tag)}&exclude_params=true&limit=10`, signal);
    const id = list?.jobs?.find((j) => typeof j.id === "string")?.id ?? null;
    this.log(id ? `found IBM Quantum job ${id} by its tag ${tag}` : `no IBM Quantum job has the tag ${tag}`);
    return id;
  }

  /** The batch session the jobs run in, opened with the first submission (null when batch is off). */
  private sessionId(signal?: AbortSignal): Promise<string | null> {
    if (!this.batch) return Promise.resolve(null);
    this.session ??= this.rest.post<{ id?: unknown }>("/sessions", { mode: "batch", backend: this.backend }, signal).then((r) => {
      if (typeof r?.id !== "string") throw new IbmRuntimeError("IBM Quantum opened a session but returned no id", 200);
      this.log(`opened IBM Quantum batch session ${r.id} on ${this.backend}`);
      return r.id;
    });
    this.session.catch(() => {
      this.session = null;
    });
    return this.session;
  }

  private remember(entry: LedgerEntry): LedgerEntry {
    this.ledger?.record(entry);
    return entry;
  }

  private async waitUntilCompleted(id: string, signal?: AbortSignal, onStatus?: (s: JobStatus) => void): Promise<void> {
    const job: PolledJob<ApiJob> = {
      id,
      vendor: "IBM Quantum",
      fetch: (sig) => this.rest.get<ApiJob>(`/jobs/${encodeURIComponent(id)}`, sig),
      statusOf,
      ended: (record, status) => jobEndedError(id, status, record),
    };
    await pollUntilCompleted(job, { initialMs: this.pollInitialMs, maxMs: this.pollMaxMs }, this.log, signal, onStatus);
  }

  private async cancelQuietly(ids: readonly (string | null)[]): Promise<void> {
    for (const id of ids) {
      if (id === null) continue;
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
