import { ConfigError, RandomStream } from "@natural-quantization/core";
import { networkTimeoutMs } from "@natural-quantization/core/node";
import { JobLedger, type LedgerEntry } from "../job-ledger.js";
import type { CircuitJob, CostedWork, CostModel, JobResult, JobStatus, ProviderCapabilities, QuantumProvider, RunOptions } from "../provider.js";
import type { Target } from "../target.js";
import { DEFAULT_RETRY } from "./http-retry.js";
import { ionqProgram, type IonqCircuit, type IonqProgram } from "./ionq-circuits.js";
import { decodeIonqResult, type IonqJobRecord, type IonqRawResult } from "./ionq-results.js";
import { ionqCredentialsFromEnv, IonqError, IonqOutcomeUnknownError, IonqPayloadTooLargeError, IonqRestClient } from "./ionq-rest.js";
import { ionqTimings, targetFromIonq, type IonqBackend, type IonqCharacterization, type IonqTimings } from "./ionq-target.js";
import { packJobs, type CostEstimate } from "../job-packing.js";
import { validatePubs } from "./job-validation.js";
import { findLostJob, lookupDelays } from "./lost-answer.js";
import type { PaidProviderOptions } from "./paid-provider-options.js";
import { pollUntilCompleted, type PolledJob } from "./job-polling.js";

/** The devices this provider is written and tested for (IonQ's `backend` names). */
export const IONQ_DEVICES = ["simulator", "qpu.aria-1", "qpu.forte-1"] as const;

/** API v0.4 limits of one multi-circuit job (CreateJob's 400 and 413 answers, CircuitJobCreationPayload.shots). */
export const IONQ_MAX_CIRCUITS_PER_JOB = 5000;
export const IONQ_MAX_GATES_PER_JOB = 150_000;
export const IONQ_MAX_BODY_BYTES = 10 * 1000 * 1000;
export const IONQ_MAX_SHOTS = 1_000_000;
/**
 * The ideal simulator ignores shots and answers with each circuit's exact distribution, which has
 * up to 2^qubits entries: circuits on it are kept to this many qubits, and jobs to
 * IONQ_SIMULATOR_CIRCUITS_PER_JOB circuits, so one answer stays a few MB.
 */
export const IONQ_SIMULATOR_MAX_QUBITS = 10;
export const IONQ_SIMULATOR_CIRCUITS_PER_JOB = 500;
/**
 * Pubs are packed by their OpenQASM size; the JSON IonQ gets is about twice that, so a part is
 * held to 4 MB of OpenQASM (under the 10 MB request limit), and a body that still exceeds the limit,
 * or a 413 answer, splits it further.
 */
const QASM_BYTES_PER_JOB = 4 * 1000 * 1000;
/** Pages of the job list searched for a job whose creation answer was lost. */
const MAX_LOOKUP_PAGES = 50;

/** ionq's options (IonQ's defaults: 5000 circuits per job, 500 on the simulator, 4 MB of OpenQASM; the key from IONQ_API_KEY). */
export interface IonqProviderOptions extends PaidProviderOptions {
  /** IonQ backend: simulator, qpu.aria-1, qpu.forte-1 (IonQ's names). */
  readonly device: string;
  /** Seed of the shot order when a run passes no ShotSeed (default 0). */
  readonly seed?: number;
}

/** What `ionq` takes (known without a key, e.g. for cost estimates). */
export function ionqCapabilities(device: string, maxPubsPerJob?: number, maxBytesPerJob = QASM_BYTES_PER_JOB): ProviderCapabilities {
  const pubs = maxPubsPerJob ?? (device === "simulator" ? IONQ_SIMULATOR_CIRCUITS_PER_JOB : IONQ_MAX_CIRCUITS_PER_JOB);
  return {
    format: "qasm2",
    nativeGatesOnly: true,
    parameterBindings: false,
    maxPubsPerJob: pubs,
    maxExecutionsPerJob: pubs * IONQ_MAX_SHOTS,
    maxBytesPerJob,
    maxShots: IONQ_MAX_SHOTS,
    noise: device !== "simulator",
  };
}

/**
 * What a job costs in IonQ's units. IonQ bills a job by quantum compute time (cost model `QCT`) or
 * by gate operations (`2QGE_operations`), at rates set per organization (`GET /jobs/estimate`
 * returns the caller's rate card); no public price list is part of the API reference, so the
 * estimate is in those units, not in money.
 */
export interface IonqCostEstimate extends CostEstimate {
  /** Single-qubit gates x shots, summed over circuits. */
  readonly oneQubitGateShots: number;
  /** Two-qubit gates x shots, summed over circuits. */
  readonly twoQubitGateShots: number;
  /**
   * Quantum compute time from the characterization's timings, gates run one after another
   * (an upper bound): shots x (1q gates x 1q time + 2q gates x 2q time + readout + reset), seconds;
   * null when the backend publishes no timings (the simulator).
   */
  readonly quantumComputeSeconds: number | null;
}

interface Part {
  readonly job: CircuitJob;
  readonly programs: readonly IonqProgram[];
  /** Index of the part's first Pub in the run's job. */
  readonly first: number;
}

interface Submitted extends Part {
  readonly entry: LedgerEntry;
}

interface ApiJobList {
  readonly jobs?: readonly IonqJobRecord[];
  readonly next?: string | null;
}

/**
 * `ionq`: runs circuits on IonQ's trapped-ion systems through the Quantum Cloud API v0.4, as
 * multi-circuit jobs (`ionq.multi-circuit.v1`) in IonQ's JSON circuit format, compiled to the native
 * gates gpi, gpi2 and ms. Safety rules as for ibm-runtime: a submission is retried only where it
 * provably did not reach IonQ; a lost answer is resolved by finding the job by its unique name
 * (each job carries it as `name` and `metadata.nq_tag`) in the job list before anything is sent
 * again; every job id and raw result is in the ledger before it is decoded; work is split under
 * IonQ's limits (5000 circuits, 150,000 gates, 10 MB per job) and again on a 413.
 */
export class IonqProvider implements QuantumProvider {
  readonly name = "ionq";
  readonly capabilities: ProviderCapabilities;
  readonly device: string;
  private readonly rest: IonqRestClient;
  private readonly pollInitialMs: number;
  private readonly pollMaxMs: number;
  private readonly log: (line: string) => void;
  private readonly ledger: JobLedger | null;
  private readonly seed: number;
  private readonly lookupDelaysMs: readonly number[];
  private nextStream = 0;
  private cached: Promise<{ target: Target; timings: IonqTimings }> | null = null;
  private usedSeconds = 0;

  constructor(options: IonqProviderOptions) {
    if (!/^(simulator|qpu\.[a-z0-9-]+)$/.test(options.device ?? "")) {
      throw new ConfigError("device", options.device, `an IonQ backend: ${IONQ_DEVICES.join(", ")}`);
    }
    this.device = options.device;
    const maxBytes = options.maxBytesPerJob ?? QASM_BYTES_PER_JOB;
    if (!(maxBytes >= 1)) throw new ConfigError("maxBytesPerJob", maxBytes, "a number of bytes >= 1");
    const maxPubs = options.maxPubsPerJob;
    if (maxPubs !== undefined && !(Number.isInteger(maxPubs) && maxPubs >= 1 && maxPubs <= IONQ_MAX_CIRCUITS_PER_JOB)) {
      throw new ConfigError("maxPubsPerJob", maxPubs, `an integer from 1 to ${IONQ_MAX_CIRCUITS_PER_JOB}`);
    }
    this.capabilities = ionqCapabilities(this.device, maxPubs, maxBytes);
    const env = options.env ?? process.env;
    const { apiKey, baseUrl } = ionqCredentialsFromEnv(env);
    this.log = options.log ?? (() => {});
    this.rest = new IonqRestClient({
      baseUrl,
      apiKey,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      fetchImpl: options.fetch,
      log: this.log,
      timeoutMs: options.timeoutMs ?? networkTimeoutMs(env),
    });
    this.pollInitialMs = options.pollInitialMs ?? 1000;
    this.pollMaxMs = options.pollMaxMs ?? 30_000;
    this.ledger = options.ledger ?? null;
    this.seed = options.seed ?? 0;
    this.lookupDelaysMs = lookupDelays(options.lookupDelaysMs);
  }

  /** The backend as a Target, from `GET /backends/{backend}` and its current characterization (fetched once). */
  async target(): Promise<Target> {
    return (await this.device_()).target;
  }

  /** Jobs, circuits, shots and gate-shots `run(job)` would use, and the compute time they take. */
  async estimateCost(job: CircuitJob): Promise<IonqCostEstimate> {
    validatePubs(job, this.capabilities);
    const { timings } = await this.device_();
    const programs = job.pubs.map((p, i) => ionqProgram(p.program, p.clbits, `pubs[${i}]`));
    return ionqCostEstimate(job, programs, this.split(job, programs).length, timings);
  }

  /** Quantum compute seconds IonQ billed for the finished jobs (their stats), so far. */
  get quantumSecondsUsed(): number {
    return this.usedSeconds;
  }

  async run(job: CircuitJob, options: RunOptions = {}): Promise<JobResult> {
    validatePubs(job, this.capabilities);
    const programs = job.pubs.map((p, i) => ionqProgram(p.program, p.clbits, `pubs[${i}]`));
    const parts = this.split(job, programs);
    this.log(`IonQ cost of this call on ${this.device}: ${describeIonqCost(ionqCostEstimate(job, programs, parts.length, (await this.device_()).timings))}`);
    const submitted: Submitted[] = [];
    try {
      for (const part of parts) submitted.push(...(await this.submit(part, options.signal)));
      const results: JobResult[] = [];
      for (const s of submitted) results.push(await this.collect(s, options));
      return results.flat();
    } catch (e) {
      if (options.signal?.aborted) await this.cancelQuietly(submitted.filter((s) => !s.entry.resultSaved).map((s) => s.entry.jobId));
      throw e;
    }
  }

  private device_(): Promise<{ target: Target; timings: IonqTimings }> {
    this.cached ??= (async () => {
      const path = `/backends/${encodeURIComponent(this.device)}`;
      const backend = await this.rest.get<IonqBackend>(path);
      if (typeof backend?.qubits !== "number") throw new IonqError(`IonQ sent no qubit count for backend ${this.device}`, 200);
      let characterization: IonqCharacterization | null = null;
      if (this.device !== "simulator") {
        characterization = backend.characterization_id
          ? await this.rest.get<IonqCharacterization>(`${path}/characterizations/${encodeURIComponent(backend.characterization_id)}`)
          : ((await this.rest.get<{ characterizations?: IonqCharacterization[] }>(`${path}/characterizations?limit=1`))?.characterizations?.[0] ?? null);
        if (!characterization) this.log(`IonQ publishes no characterization for ${this.device}: its target carries no error rates`);
      }
      if (backend.status && backend.status !== "available") this.log(`IonQ reports backend ${this.device} as ${backend.status}`);
      const max = this.device === "simulator" ? IONQ_SIMULATOR_MAX_QUBITS : Number.POSITIVE_INFINITY;
      return { target: targetFromIonq(backend, characterization, max), timings: ionqTimings(characterization) };
    })().catch((e: unknown) => {
      this.cached = null;
      throw e;
    });
    return this.cached;
  }

  /** The job packed under the limits (packJobs), each part then kept under IonQ's gate limit. */
  private split(job: CircuitJob, programs: readonly IonqProgram[]): Part[] {
    const parts: Part[] = [];
    let first = 0;
    for (const packed of packJobs(job, this.capabilities)) {
      let start = 0;
      let gates = 0;
      packed.pubs.forEach((_, i) => {
        const g = gateCount(programs[first + i]);
        if (i > start && gates + g > IONQ_MAX_GATES_PER_JOB) {
          parts.push(this.part(job.shots, packed.pubs.slice(start, i), programs, first + start));
          start = i;
          gates = 0;
        }
        gates += g;
      });
      parts.push(this.part(job.shots, packed.pubs.slice(start), programs, first + start));
      first += packed.pubs.length;
    }
    return parts;
  }

  private part(shots: number, pubs: CircuitJob["pubs"], programs: readonly IonqProgram[], first: number): Part {
    return { job: { pubs, shots }, programs: programs.slice(first, first + pubs.length), first };
  }

  /**
   * Submits a part (or its halves, when it is too large), unless the ledger shows it was submitted
   * already: then the known job is followed or, where the answer was lost, looked up by its name.
   * Every submission is on disk before its request is sent.
   */
  private async submit(part: Part, signal?: AbortSignal): Promise<Submitted[]> {
    const body = jobBody(this.device, part);
    const key = JobLedger.keyOf(this.name, this.device, body);
    const known = this.ledger?.entry(key) ?? null;
    if (known?.jobId) {
      this.log(`IonQ job ${known.jobId}: submitted by an earlier run; ${known.resultSaved ? "its result is on disk" : "following it"}`);
      return [{ ...part, entry: known }];
    }
    const tag = known?.tag ?? JobLedger.newTag();
    if (known) {
      const found = await this.findByTag(tag, signal);
      if (found) return [{ ...part, entry: this.remember({ ...known, jobId: found }) }];
    }
    const request = { ...body, name: tag, metadata: { nq_tag: tag } };
    if (Buffer.byteLength(JSON.stringify(request)) > IONQ_MAX_BODY_BYTES && part.programs.length > 1) {
      return this.halves(part, `the job request is over IonQ's ${IONQ_MAX_BODY_BYTES / 1e6} MB limit`, signal);
    }
    const entry = this.remember({ key, tag, provider: this.name, device: this.device, jobId: null, submittedAt: new Date().toISOString(), resultSaved: false });
    for (let attempt = 0; ; attempt++) {
      try {
        const created = await this.rest.postOnce<{ id?: unknown }>("/jobs", request, signal);
        if (typeof created?.id !== "string") throw new IonqError("IonQ created a job but returned no id", 201);
        this.log(`submitted IonQ job ${created.id} to ${this.device} (${part.programs.length} circuits, ${part.job.shots} shots each)`);
        return [{ ...part, entry: this.remember({ ...entry, jobId: created.id }) }];
      } catch (e) {
        if (e instanceof IonqPayloadTooLargeError && part.programs.length > 1) return this.halves(part, e.message, signal);
        if (!(e instanceof IonqOutcomeUnknownError) || attempt >= 3) throw e;
        // The job may exist, or still be on its way in: search for it by its name, several times
        // apart, before anything is submitted again.
        this.log(`${e.message}; looking the job up by its name ${tag}`);
        const found = await findLostJob(() => this.findByTag(tag, signal), this.lookupDelaysMs, { tag: `the name ${tag}`, service: "IonQ", log: this.log }, signal);
        if (found) return [{ ...part, entry: this.remember({ ...entry, jobId: found }) }];
      }
    }
  }

  private async halves(part: Part, why: string, signal?: AbortSignal): Promise<Submitted[]> {
    const half = Math.ceil(part.programs.length / 2);
    this.log(`${why}; splitting it into two jobs of ${half} and ${part.programs.length - half} circuits`);
    const pubs = part.job.pubs;
    const a = { job: { pubs: pubs.slice(0, half), shots: part.job.shots }, programs: part.programs.slice(0, half), first: part.first };
    const b = { job: { pubs: pubs.slice(half), shots: part.job.shots }, programs: part.programs.slice(half), first: part.first + half };
    return [...(await this.submit(a, signal)), ...(await this.submit(b, signal))];
  }

  /**
   * The id of the job named `tag`, searching the backend's job list (`GET /jobs?target=...`,
   * page by page through `next`); null when the list ends without it. The API filters jobs by
   * target, status, session and ids, not by name, hence the search.
   */
  private async findByTag(tag: string, signal?: AbortSignal): Promise<string | null> {
    let next: string | null = null;
    for (let page = 0; page < MAX_LOOKUP_PAGES; page++) {
      const query: string = `target=${encodeURIComponent(this.device)}&limit=100${next ? `&next=${encodeURIComponent(next)}` : ""}`;
      const list: ApiJobList | null = await this.rest.get<ApiJobList>(`/jobs?${query}`, signal);
      const hit = list?.jobs?.find((j) => j.name === tag || j.metadata?.nq_tag === tag);
      if (hit) {
        this.log(`found IonQ job ${hit.id} by its name ${tag}`);
        return hit.id;
      }
      next = list?.next ?? null;
      if (!next) return null;
    }
    throw new IonqError(
      `could not tell whether IonQ created the job named ${tag} (not among the ${MAX_LOOKUP_PAGES} newest pages of jobs); nothing was resubmitted: look for it at cloud.ionq.com, or rerun with --resume`,
      0,
    );
  }

  /** Waits for a job, keeps its raw result on disk, then decodes it. */
  private async collect(s: Submitted, options: RunOptions): Promise<JobResult> {
    const id = s.entry.jobId!;
    let rawText = this.ledger?.result(s.entry) ?? null;
    let entry = s.entry;
    if (rawText === null) {
      const job = await this.waitUntilCompleted(id, options.signal, options.onStatus);
      const probabilities = await this.rest.get<IonqRawResult["probabilities"]>(`/jobs/${encodeURIComponent(id)}/results/probabilities`, options.signal);
      rawText = JSON.stringify({ job, probabilities } satisfies IonqRawResult);
      entry = this.ledger ? this.ledger.saveResult(entry, rawText) : { ...entry, resultSaved: true };
      const billed = job.stats?.billed_quantum_compute_time_us;
      if (typeof billed === "number" && Number.isFinite(billed)) {
        entry = this.remember({ ...entry, quantumSeconds: billed / 1e6 });
        this.log(`IonQ job ${id}: ${billed / 1e6} s of quantum compute time billed`);
      }
    }
    if (entry.quantumSeconds !== undefined) this.usedSeconds += entry.quantumSeconds;
    const raw = JSON.parse(rawText) as IonqRawResult;
    const seed = options.seed;
    const streams = (p: number) => (seed ? new RandomStream(seed.seed, "shots", seed.firstPub + s.first + p, seed.stream) : new RandomStream(this.seed, "shots", this.nextStream++));
    const { result, sampled } = decodeIonqResult(raw, s.programs, s.job.shots, streams);
    this.log(`IonQ job ${id}: ${sampled ? "exact probabilities (ideal simulator), shots drawn from them" : "shot histograms, expanded into shots"}`);
    return result;
  }

  private remember(entry: LedgerEntry): LedgerEntry {
    this.ledger?.record(entry);
    return entry;
  }

  private async waitUntilCompleted(id: string, signal?: AbortSignal, onStatus?: (s: JobStatus) => void): Promise<IonqJobRecord> {
    const job: PolledJob<IonqJobRecord> = {
      id,
      vendor: "IonQ",
      fetch: (sig) => this.rest.get<IonqJobRecord>(`/jobs/${encodeURIComponent(id)}`, sig),
      statusOf: (record) => statusOf(record, this.rest),
      ended: (record, status) => {
        const f = record.failure;
        const reason = f ? `: ${f.code ?? "error"}${f.message ? ` ${this.rest.shown(f.message)}` : ""}` : "";
        return new IonqError(`IonQ job ${id} ${status === "Failed" ? "failed" : "was canceled"}${reason}`, 0);
      },
    };
    return pollUntilCompleted(job, { initialMs: this.pollInitialMs, maxMs: this.pollMaxMs }, this.log, signal, onStatus);
  }

  private async cancelQuietly(ids: readonly (string | null)[]): Promise<void> {
    for (const id of ids) {
      if (id === null) continue;
      try {
        await this.rest.put(`/jobs/${encodeURIComponent(id)}/status/cancel`, undefined);
        this.log(`canceled IonQ job ${id}`);
      } catch {
        // Already finished, or unreachable: nothing more to do.
      }
    }
  }
}

/**
 * The `POST /jobs` body of a part, without its name and metadata (which carry the submission's
 * unique tag and so stay out of the ledger key): an `ionq.multi-circuit.v1` job whose circuits each
 * name their gateset; debiasing off, so a QPU's probabilities are its shot histogram.
 */
export function jobBody(device: string, part: { readonly job: CircuitJob; readonly programs: readonly IonqProgram[] }): {
  type: "ionq.multi-circuit.v1";
  backend: string;
  shots: number;
  settings: { error_mitigation: { debiasing: false } };
  input: { gateset: "native"; qubits: number; circuits: IonqCircuit[] };
} {
  const qubits = Math.max(...part.programs.map((p) => p.circuit.qubits));
  return {
    type: "ionq.multi-circuit.v1",
    backend: device,
    shots: part.job.shots,
    settings: { error_mitigation: { debiasing: false } },
    input: { gateset: "native", qubits, circuits: part.programs.map((p) => p.circuit) },
  };
}

/**
 * Two-qubit gate-shots from which a run on IonQ needs `--yes`. IonQ bills by quantum compute time
 * or by gate operations at rates agreed per organisation (its API publishes no price), and both
 * grow with the two-qubit gates run: 100,000 ms gate-shots lets a check of a few images through
 * (60 images x 3 shots of a width-6 Model 2 layer is about 1,000) and stops a real evaluation at
 * its first job until the user has seen its size.
 */
export const IONQ_CONFIRM_TWO_QUBIT_GATE_SHOTS = 100_000;

/** The cost a run on IonQ is gated on: ms gates x executions, counted on the compiled circuits. */
export const IONQ_COST_MODEL: CostModel = {
  unit: "two-qubit gate-shots",
  paid: true,
  confirmAbove: IONQ_CONFIRM_TWO_QUBIT_GATE_SHOTS,
  description: "ms gates of each compiled circuit x its executions (IonQ bills compute time or gate operations at per-organisation rates)",
  estimate({ job, circuits }: CostedWork): number {
    let gateShots = 0;
    job.pubs.forEach((pub, p) => {
      const ms = circuits[p]!.ops.filter((op) => op.op === "ms").length;
      gateShots += ms * (pub.bindings?.length ?? 1) * job.shots;
    });
    return gateShots;
  },
};

/** Jobs, circuits, shots, gate-shots and compute time of a job, in IonQ's units. */
export function ionqCostEstimate(job: CircuitJob, programs: readonly IonqProgram[], jobs: number, timings: IonqTimings): IonqCostEstimate {
  const shots = job.shots;
  const one = programs.reduce((n, p) => n + p.oneQubitGates, 0) * shots;
  const two = programs.reduce((n, p) => n + p.twoQubitGates, 0) * shots;
  const known = timings.oneQubit !== null && timings.twoQubit !== null;
  const perShot = (timings.readout ?? 0) + (timings.reset ?? 0);
  const seconds = known ? one * timings.oneQubit! + two * timings.twoQubit! + programs.length * shots * perShot : null;
  return { jobs, pubs: programs.length, circuits: programs.length, shots: programs.length * shots, oneQubitGateShots: one, twoQubitGateShots: two, quantumComputeSeconds: seconds };
}

/** "2 jobs, 120 circuits x 1 shot: 2400 1q and 120 2q gate-shots, about 0.5 s of quantum compute time" */
export function describeIonqCost(c: IonqCostEstimate): string {
  const time = c.quantumComputeSeconds === null ? "no timings to estimate compute time" : `about ${Number(c.quantumComputeSeconds.toPrecision(3))} s of quantum compute time`;
  return `${c.jobs} job${c.jobs === 1 ? "" : "s"}, ${c.circuits} circuits x ${c.shots / Math.max(1, c.circuits)} shots: ${c.oneQubitGateShots} 1q and ${c.twoQubitGateShots} 2q gate-shots, ${time}`;
}

function gateCount(p: IonqProgram): number {
  return p.circuit.circuit.length;
}

/** IonQ's job statuses (JobStatus: submitted, ready, started, canceled, failed, completed; `running` as older clients saw it). */
function statusOf(job: IonqJobRecord, rest: IonqRestClient): JobStatus["status"] {
  switch (job?.status) {
    case "submitted":
    case "ready":
      return "Queued";
    case "started":
    case "running":
      return "Running";
    case "completed":
      return "Completed";
    case "failed":
      return "Failed";
    case "canceled":
      return "Cancelled";
    default:
      throw new IonqError(`IonQ reported an unknown job status "${rest.shown(String(job?.status))}"`, 200);
  }
}
