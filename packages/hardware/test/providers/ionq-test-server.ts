/**
 * A local stand-in for IonQ's Quantum Cloud API v0.4, on 127.0.0.1 only, following the published
 * reference (docs.ionq.com "API v0.4"; its OpenAPI document, vendored as openapi.json in IonQ's
 * ionq-core-python):
 *   GET  /v0.4/backends/{backend} -> Backend { backend, status, qubits, average_queue_time, last_updated,
 *        characterization_id, degraded, supported_native_gates }
 *   GET  /v0.4/backends/{backend}/characterizations/{UUID} -> Characterization { id, backend, date, qubits,
 *        connectivity, fidelity: { spam, 1q, 2q: { median } }, timing: { t1, t2, 1q, 2q, readout, reset } }
 *   GET  /v0.4/backends/{backend}/characterizations?limit=N -> { characterizations: [...], pages }
 *   POST /v0.4/jobs  ionq.multi-circuit.v1 { name, metadata, shots, backend, settings, input: { gateset,
 *        qubits, circuits: [{ name, gateset?, qubits?, circuit }] } } -> 201 { id, status, session_id }
 *        400 (at most 5,000 circuits and 150,000 gates), 413 (body over the limit)
 *   GET  /v0.4/jobs?target=&limit=&next= -> { jobs: [BaseJob ...], next } (newest first)
 *   GET  /v0.4/jobs/{UUID} -> MultiCircuitJob { id, status, type, backend, name, metadata, shots, noise,
 *        child_job_ids, failure, stats, results, ... }; status submitted -> ready -> started -> completed
 *        as it is polled
 *   GET  /v0.4/jobs/{UUID}/results/probabilities -> ionq.result.probabilities-aggregate.json.v1
 *        { child UUID: { decimal state: probability } } (404 until completed)
 *   PUT  /v0.4/jobs/{UUID}/status/cancel -> { id, status: "canceled" }
 * Every request must carry `Authorization: apiKey <key>`; errors are `{ statusCode, error, message }`.
 * Circuits are really executed: each child circuit is simulated from IonQ's gate definitions
 * (ionq-statevector.ts). A QPU job draws its shots and reports the histogram divided by the shots
 * (keys: bit k of the decimal state is qubit k); the ideal simulator ignores shots and reports
 * exact probabilities, as IonQ documents. Faults can be injected: any status on any route,
 * a submission accepted but its answer lost (connection cut, or a 502 sent), a request-size
 * limit (413), slow answers, and failed jobs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { simulateIonqCircuit, type TestIonqGate } from "./ionq-statevector.js";
import { FailureQueue, receive, type InjectedFailure, type RecordedRequest } from "./recorded-http.js";

export interface TestIonqBackend {
  readonly backend: string;
  readonly qubits: number;
  /** Null for the simulator (no characterization). */
  readonly characterization: Record<string, unknown> | null;
}

/** Test values in IonQ's published shape (not IonQ's measurements): Aria 25 qubits, Forte 36. */
export function testBackends(): TestIonqBackend[] {
  const char = (backend: string, qubits: number, f1: number, f2: number, spam: number) => ({
    id: randomUUID(),
    backend,
    date: "2026-11-30T00:00:00Z",
    qubits,
    connectivity: Array.from({ length: qubits }, (_, a) => Array.from({ length: qubits - a - 1 }, (_, k) => [a, a + k + 1])).flat(),
    fidelity: { spam: { median: spam, stderr: null }, "1q": { median: f1, stderr: null }, "2q": { median: f2, stderr: null } },
    timing: { t1: 100, t2: 1, "1q": 0.000135, "2q": 0.0006, readout: 0.0003, reset: 0.00002 },
  });
  return [
    { backend: "simulator", qubits: 29, characterization: null },
    { backend: "qpu.aria-1", qubits: 25, characterization: char("qpu.aria-1", 25, 0.9995, 0.986, 0.9939) },
    { backend: "qpu.forte-1", qubits: 36, characterization: char("qpu.forte-1", 36, 0.9998, 0.9952, 0.9953) },
  ];
}

export interface IonqTestServerOptions {
  readonly apiKey: string;
  readonly backends?: readonly TestIonqBackend[];
  /** Polls a job answers submitted, ready, then started, before it completes (default 1 each). */
  readonly pollsPerState?: number;
  readonly seed?: number;
  /** Requests with a larger body get 413 (default 10 MB, IonQ's documented limit). */
  readonly maxBodyBytes?: number;
  /** Jobs per page of GET /jobs when the client asks for more (default 25). */
  readonly pageSize?: number;
  /** Order of GET /jobs (IonQ does not document one; default newest first). */
  readonly oldestFirst?: boolean;
  /** Billed quantum compute time per shot of each circuit, microseconds (default 1000). */
  readonly microsecondsPerShot?: number;
}

export type IonqRoute = "backend" | "characterization" | "characterizations" | "create" | "status" | "list" | "probabilities" | "cancel" | "other";

export type IonqInjectedFailure = InjectedFailure<IonqRoute>;

export type IonqRecordedRequest = RecordedRequest<IonqRoute>;

interface Child {
  readonly id: string;
  readonly probabilities: Record<string, number>;
}

export interface IonqServerJob {
  readonly id: string;
  readonly backend: string;
  readonly name: string | null;
  readonly metadata: Record<string, string> | null;
  readonly shots: number;
  readonly submittedAt: string;
  readonly children: readonly Child[];
  readonly failure: { code: string; message: string } | null;
  readonly billedUs: number;
  polls: number;
  canceled: boolean;
}

const BASE = "/v0.4";
const MAX_CIRCUITS = 5000;
const MAX_GATES = 150_000;
const NATIVE = new Set(["gpi", "gpi2", "ms", "zz", "nop"]);
const QIS = new Set(["x", "y", "z", "rx", "ry", "rz", "h", "s", "si", "v", "vi", "t", "ti", "not", "cnot", "swap", "xx", "yy", "zz", "pauliexp"]);

export class IonqTestServer {
  readonly requests: IonqRecordedRequest[] = [];
  /** Every job created, in order (what a user would be billed for). */
  readonly jobs = new Map<string, IonqServerJob>();
  private readonly failures = new FailureQueue<IonqRoute>();
  private readonly lostAnswers: ("cut" | "502")[] = [];
  private readonly jobFailures: { code: string; message: string }[] = [];
  private readonly delays = new Map<IonqRoute, number>();
  private readonly backends: Map<string, TestIonqBackend>;
  private rng: () => number;

  private constructor(
    private readonly server: Server,
    private readonly options: IonqTestServerOptions,
  ) {
    this.backends = new Map((options.backends ?? testBackends()).map((b) => [b.backend, b]));
    this.rng = mulberry32(options.seed ?? 1);
  }

  static async start(options: IonqTestServerOptions): Promise<IonqTestServer> {
    let instance: IonqTestServer | null = null;
    const server = createServer((req, res) => void instance!.handle(req, res));
    instance = new IonqTestServer(server, options);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return instance;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The environment a client needs to reach this server with the configured key. */
  env(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { IONQ_API_KEY: this.options.apiKey, IONQ_API_URL: `${this.origin}${BASE}`, ...overrides };
  }

  failNext(failure: IonqInjectedFailure): void {
    this.failures.push(failure);
  }

  /** The next submission is accepted (the job exists and runs) but its answer is lost. */
  loseNextSubmissionAnswer(how: "cut" | "502"): void {
    this.lostAnswers.push(how);
  }

  /** The next created job ends failed with this failure. */
  failNextJob(code: string, message: string): void {
    this.jobFailures.push({ code, message });
  }

  /** Answers on this route wait this long first (0 to stop). */
  delay(route: IonqRoute, ms: number): void {
    this.delays.set(route, ms);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { url, route, body, send } = await receive(req, res, this.origin, routeOf, this.requests);
    const wait = this.delays.get(route) ?? 0;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (this.failures.answer(route, send, apiError)) return;
    const limit = this.options.maxBodyBytes ?? 10 * 1000 * 1000;
    if (Buffer.byteLength(body) > limit) return send(413, apiError(413, "Request Entity Too Large. The request body may not exceed the limit"));
    if (!url.pathname.startsWith(`${BASE}/`)) return send(404, apiError(404, "Resource not found."));
    if (req.headers.authorization !== `apiKey ${this.options.apiKey}`) return send(401, apiError(401, "Invalid key provided. See https://docs.ionq.com/#authentication for details."));
    const parts = url.pathname.slice(BASE.length).split("/").filter(Boolean).map(decodeURIComponent);
    try {
      if (parts[0] === "backends") {
        const b = this.backends.get(parts[1]);
        if (!b) return send(404, apiError(404, `backend ${parts[1]} not found`));
        if (route === "backend") return send(200, backendRecord(b));
        if (route === "characterizations") return send(200, { characterizations: b.characterization ? [b.characterization] : [], pages: 0 });
        if (route === "characterization") {
          if (!b.characterization || b.characterization.id !== parts[3]) return send(404, apiError(404, `characterization ${parts[3]} not found`));
          return send(200, b.characterization);
        }
      }
      if (route === "create") {
        const lost = this.lostAnswers.shift();
        if (lost === "cut") return this.createJob(body, () => res.destroy());
        if (lost === "502") return this.createJob(body, (status, payload) => send(status === 201 ? 502 : status, status === 201 ? apiError(502, "Bad Gateway") : payload));
        return this.createJob(body, send);
      }
      if (route === "list") return send(200, this.listJobs(url.searchParams));
      if (parts[0] === "jobs" && parts.length >= 2) {
        const job = this.jobs.get(parts[1]);
        if (!job) return send(404, apiError(404, `job ${parts[1]} not found`));
        if (route === "status") {
          const record = this.jobRecord(job);
          job.polls++;
          return send(200, record);
        }
        if (route === "probabilities") {
          if (statusOf(job, this.perState) !== "completed") return send(404, apiError(404, "Job not found or not yet completed."));
          return send(200, Object.fromEntries(job.children.map((c) => [c.id, c.probabilities])));
        }
        if (route === "cancel") {
          job.canceled = true;
          return send(200, { id: job.id, status: "canceled" });
        }
      }
      return send(404, apiError(404, `no route ${req.method} ${url.pathname}`));
    } catch (e) {
      return send(500, apiError(500, `test server error: ${(e as Error).message}`));
    }
  }

  private get perState(): number {
    return this.options.pollsPerState ?? 1;
  }

  private createJob(body: string, send: (status: number, payload: unknown) => void): void {
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return send(400, apiError(400, "request body is not JSON"));
    }
    const problem = validate(request, this.backends);
    if (problem) return send(400, apiError(400, problem));
    const input = request.input as { gateset: string; qubits?: number; circuits: { qubits?: number; gateset?: string; circuit: TestIonqGate[] }[] };
    const backend = request.backend as string;
    const shots = (request.shots as number | undefined) ?? 100;
    const ideal = backend === "simulator" && ((request.noise as { model?: string } | undefined)?.model ?? "ideal") === "ideal";
    const failure = this.jobFailures.shift() ?? null;
    const children: Child[] = input.circuits.map((c) => {
      const n = c.qubits ?? input.qubits ?? 1;
      const components = simulateIonqCircuit(n, c.circuit);
      return { id: randomUUID(), probabilities: ideal ? exactDistribution(components) : sampledHistogram(components, shots, this.rng) };
    });
    const id = randomUUID();
    const metadata = (request.metadata as Record<string, string> | undefined) ?? null;
    const billedUs = ideal ? 0 : children.length * shots * (this.options.microsecondsPerShot ?? 1000);
    this.jobs.set(id, { id, backend, name: (request.name as string | undefined) ?? null, metadata, shots, submittedAt: new Date().toISOString(), children, failure, billedUs, polls: 0, canceled: false });
    send(201, { id, status: "submitted", session_id: null });
  }

  private jobRecord(job: IonqServerJob): Record<string, unknown> {
    const status = statusOf(job, this.perState);
    const done = status === "completed";
    return {
      id: job.id,
      status,
      type: "ionq.multi-circuit.v1",
      backend: job.backend,
      dry_run: false,
      submitter_id: "test-user",
      project_id: null,
      parent_job_id: null,
      child_job_ids: job.children.map((c) => c.id),
      session_id: null,
      metadata: job.metadata,
      name: job.name,
      submitted_at: job.submittedAt,
      started_at: null,
      completed_at: null,
      predicted_wait_time_ms: null,
      predicted_execution_duration_ms: null,
      execution_duration_ms: null,
      ...(job.backend === "simulator" ? { noise: { model: "ideal" } } : { shots: job.shots }),
      failure: status === "failed" ? job.failure : null,
      cost_model: "QCT",
      output: {},
      settings: {},
      stats: { qubits: 0, circuits: job.children.length, ...(done ? { billed_quantum_compute_time_us: job.billedUs } : {}) },
      results: done ? { "ionq.result.probabilities-aggregate.json.v1": { id: "probabilities-aggregate", format: "ionq.result.probabilities-aggregate.json.v1", media_type: "application/json" } } : null,
    };
  }

  private listJobs(query: URLSearchParams): unknown {
    const target = query.get("target");
    const all = [...this.jobs.values()].filter((j) => !target || target.split(",").includes(j.backend));
    if (!this.options.oldestFirst) all.reverse();
    const start = query.get("next") ? all.findIndex((j) => j.id === query.get("next")) : 0;
    const size = Math.min(Number(query.get("limit") ?? 25), this.options.pageSize ?? 25);
    const page = all.slice(Math.max(0, start), Math.max(0, start) + size);
    const after = all[Math.max(0, start) + size];
    return { jobs: page.map((j) => ({ ...this.jobRecord(j), child_job_ids: undefined })), next: after ? after.id : null };
  }
}

function routeOf(method: string, path: string): IonqRoute {
  const p = path.startsWith(BASE) ? path.slice(BASE.length) : path;
  if (method === "GET" && /^\/backends\/[^/]+$/.test(p)) return "backend";
  if (method === "GET" && /^\/backends\/[^/]+\/characterizations$/.test(p)) return "characterizations";
  if (method === "GET" && /^\/backends\/[^/]+\/characterizations\/[^/]+$/.test(p)) return "characterization";
  if (method === "POST" && p === "/jobs") return "create";
  if (method === "GET" && p === "/jobs") return "list";
  if (method === "GET" && /^\/jobs\/[^/]+$/.test(p)) return "status";
  if (method === "GET" && /^\/jobs\/[^/]+\/results\/probabilities$/.test(p)) return "probabilities";
  if (method === "PUT" && /^\/jobs\/[^/]+\/status\/cancel$/.test(p)) return "cancel";
  return "other";
}

function statusOf(job: IonqServerJob, perState: number): string {
  if (job.canceled) return "canceled";
  if (job.polls < perState) return "submitted";
  if (job.polls < 2 * perState) return "ready";
  if (job.polls < 3 * perState) return "started";
  return job.failure ? "failed" : "completed";
}

function backendRecord(b: TestIonqBackend): Record<string, unknown> {
  return {
    backend: b.backend,
    status: "available",
    qubits: b.qubits,
    average_queue_time: 1000,
    last_updated: "2026-11-30T00:00:00Z",
    characterization_id: (b.characterization?.id as string | undefined) ?? null,
    degraded: false,
    supported_native_gates: ["gpi", "gpi2", "ms"],
  };
}

/** The request checks IonQ documents for ionq.multi-circuit.v1 jobs (MultiCircuitJobCreationPayload). */
function validate(r: Record<string, unknown>, backends: ReadonlyMap<string, TestIonqBackend>): string | null {
  if (r.type !== "ionq.multi-circuit.v1") return `"type" must be ionq.multi-circuit.v1 here, got ${JSON.stringify(r.type)}`;
  if (typeof r.backend !== "string" || !backends.has(r.backend)) return `"backend" ${JSON.stringify(r.backend)} is not a backend`;
  if (r.shots !== undefined && !(Number.isInteger(r.shots) && (r.shots as number) >= 1 && (r.shots as number) <= 1_000_000)) return `"shots" must be an integer from 1 to 1000000`;
  if (r.name !== undefined && typeof r.name !== "string") return `"name" must be a string`;
  if (r.metadata !== undefined && (typeof r.metadata !== "object" || Object.values(r.metadata as object).some((v) => typeof v !== "string"))) return `"metadata" values must be strings`;
  const input = r.input as { gateset?: unknown; qubits?: unknown; circuits?: unknown } | undefined;
  if (!input || (input.gateset !== "qis" && input.gateset !== "native")) return `"input.gateset" must be qis or native`;
  if (!Array.isArray(input.circuits) || input.circuits.length === 0) return `"input.circuits" must be a non-empty array`;
  if (input.circuits.length > MAX_CIRCUITS) return `A multi-circuit job may contain at most 5,000 circuits`;
  const qubitsOf = backends.get(r.backend)!.qubits;
  let gates = 0;
  for (const [i, c] of (input.circuits as { gateset?: string; qubits?: number; circuit?: TestIonqGate[] }[]).entries()) {
    const gateset = c.gateset ?? input.gateset;
    const n = c.qubits ?? (input.qubits as number | undefined);
    if (!Number.isInteger(n) || n! < 1 || n! > qubitsOf) return `circuits[${i}]: qubits must be 1..${qubitsOf}`;
    if (!Array.isArray(c.circuit)) return `circuits[${i}].circuit must be an array`;
    gates += c.circuit.length;
    for (const g of c.circuit) {
      if (!(gateset === "native" ? NATIVE : QIS).has(g.gate)) return `circuits[${i}]: gate ${JSON.stringify(g.gate)} is not in the ${gateset} gateset`;
      if (gateset === "native" && (g.gate === "gpi" || g.gate === "gpi2") && !(typeof g.phase === "number" && Number.isInteger(g.target))) return `circuits[${i}]: ${g.gate} needs target and phase`;
      if (g.gate === "ms" && !(Array.isArray(g.targets) && g.targets.length === 2 && Array.isArray(g.phases) && g.phases.length === 2 && g.targets[0] !== g.targets[1])) return `circuits[${i}]: ms needs two distinct targets and two phases`;
      for (const q of [g.target, g.control, ...(g.targets ?? [])]) if (q !== undefined && !(Number.isInteger(q) && q >= 0 && q < n!)) return `circuits[${i}]: qubit ${q} is outside 0..${n! - 1}`;
    }
  }
  if (gates > MAX_GATES) return `A multi-circuit job may contain at most 150,000 gates in total across its circuits`;
  return null;
}

/** The product of the components' distributions, keyed by decimal state (bit k = qubit k). */
function exactDistribution(components: ReturnType<typeof simulateIonqCircuit>): Record<string, number> {
  let dist = new Map<bigint, number>([[0n, 1]]);
  for (const c of components) {
    const next = new Map<bigint, number>();
    for (const [state, p] of dist) {
      c.probabilities.forEach((q, idx) => {
        if (q < 1e-15) return;
        let s = state;
        c.qubits.forEach((qubit, k) => {
          if ((idx >> k) & 1) s |= 1n << BigInt(qubit);
        });
        next.set(s, (next.get(s) ?? 0) + p * q);
      });
    }
    dist = next;
  }
  return Object.fromEntries([...dist].map(([s, p]) => [s.toString(), p]));
}

/** Shots drawn from the components, reported as IonQ reports a QPU histogram: count / shots. */
function sampledHistogram(components: ReturnType<typeof simulateIonqCircuit>, shots: number, rng: () => number): Record<string, number> {
  const counts = new Map<bigint, number>();
  for (let s = 0; s < shots; s++) {
    let state = 0n;
    for (const c of components) {
      let u = rng();
      let idx = 0;
      for (; idx < c.probabilities.length - 1; idx++) {
        u -= c.probabilities[idx];
        if (u < 0) break;
      }
      c.qubits.forEach((qubit, k) => {
        if ((idx >> k) & 1) state |= 1n << BigInt(qubit);
      });
    }
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].map(([s, k]) => [s.toString(), k / shots]));
}

function apiError(statusCode: number, message: string): { statusCode: number; error: string; message: string } {
  const error = statusCode === 401 ? "Unauthorized Error" : statusCode === 404 ? "Not Found Error" : statusCode === 400 ? "Bad Request" : statusCode >= 500 ? "Internal Server Error" : "Error";
  return { statusCode, error, message };
}

/** A small seeded generator, independent of the code under test. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
