/// <reference path="../../src/providers/quantum-circuit.d.ts" />
/**
 * A local stand-in for IBM Cloud IAM and the IBM Quantum (Qiskit Runtime) REST API, listening on
 * 127.0.0.1 only, following the published shapes:
 *   POST /identity/token (form: grant_type=urn:ibm:params:oauth:grant-type:apikey, apikey)
 *        -> { access_token, refresh_token, token_type, expires_in, expiration, scope }
 *   POST /api/v1/jobs { program_id: "sampler", backend, params: { pubs, version: 2, options? } } -> { id, backend }
 *   GET  /api/v1/jobs/{id} -> { id, backend, status, state: { status, reason?, reason_code? } }
 *   GET  /api/v1/jobs/{id}/results -> { results: [{ data: { c: { samples, num_bits } }, metadata }], metadata }
 *   POST /api/v1/jobs/{id}/cancel
 *   GET  /api/v1/jobs?tags=T&exclude_params=true -> { jobs: [{ id, backend, status, state, tags, session_id }], count, limit, offset }
 *   GET  /api/v1/jobs/{id}/metrics -> { usage: { quantum_seconds, seconds }, timestamps, executions, num_circuits }
 *   POST /api/v1/sessions { mode: "batch", backend } -> { id, backend_name, mode, state: "open", accepting_jobs: true }
 *   PATCH /api/v1/sessions/{id} { accepting_jobs: false }
 *   GET  /api/v1/backends/{name}/configuration | /properties
 * Every /api/v1 request must carry a live `Authorization: Bearer` token, the instance's
 * `Service-CRN` and an `IBM-API-Version` date. Jobs go Queued -> Running -> Completed as they are
 * polled. Submitted ISA OpenQASM 3 is really executed: parsed (isa-qasm3.ts), checked against the
 * backend's basis gates and coupling map (else the job fails with error 1517), parameter rows
 * bound, simulated on quantum-circuit, and shots drawn from the exact outcome probabilities.
 * Jobs carry up to 5 tags; a job that names a session must name an open one that accepts jobs.
 * Results come in IBM's plain JSON (hex samples) or, with `encoding: "typed"`, in Qiskit's
 * RuntimeEncoder form (PrimitiveResult / SamplerPubResult / DataBin / BitArray, the array as
 * base64 of zlib of .npy bytes). Requests over `maxBodyBytes` get 413.
 * Failures can be injected: any HTTP status (with Retry-After) on any route, failed jobs, and a
 * job submission that is accepted but whose answer is lost (the connection is cut, or a 503 is sent).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { deflateSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import QuantumCircuit from "quantum-circuit";
import { RandomStream } from "@natural-quantization/core";
import { parseIsaQasm3, type IsaProgram } from "./isa-qasm3.js";
import { FailureQueue, receive, type InjectedFailure as HttpInjectedFailure, type RecordedRequest as HttpRecordedRequest } from "./recorded-http.js";

export interface TestBackend {
  readonly configuration: { backend_name: string; n_qubits: number; basis_gates: string[]; coupling_map: number[][] };
  readonly properties: unknown;
}

export function loadFixtureBackend(name: "test_heron6" | "test_eagle5"): TestBackend {
  const dir = new URL("./fixtures/", import.meta.url);
  return {
    configuration: JSON.parse(readFileSync(new URL(`${name}.configuration.json`, dir), "utf8")),
    properties: JSON.parse(readFileSync(new URL(`${name}.properties.json`, dir), "utf8")),
  };
}

export interface IbmTestServerOptions {
  readonly apiKey: string;
  readonly serviceCrn: string;
  readonly backends?: readonly TestBackend[];
  /** Lifetime of issued tokens (default 3600 s). */
  readonly tokenTtlSeconds?: number;
  /** Status polls a job answers Queued, then Running, before it ends (default 1 each). */
  readonly pollsPerState?: number;
  readonly seed?: number;
  /** How results are encoded (default "plain"). */
  readonly encoding?: "plain" | "typed";
  /** Requests with a larger body are refused with 413 (default: no limit). */
  readonly maxBodyBytes?: number;
  /** QPU seconds the metrics report per circuit execution (default 0.0005). */
  readonly secondsPerExecution?: number;
}

export type Route = "iam" | "create" | "status" | "results" | "configuration" | "properties" | "list" | "metrics" | "session-create" | "session-update";

export type InjectedFailure = HttpInjectedFailure<Route>;

export type RecordedRequest = HttpRecordedRequest<Route | "cancel" | "other">;

interface ServerJob {
  readonly id: string;
  readonly backend: string;
  polls: number;
  cancelled: boolean;
  readonly failure: { reason: string; code: number } | null;
  readonly results: unknown;
  readonly tags: readonly string[];
  readonly sessionId: string | null;
  readonly executions: number;
}

interface ServerSession {
  readonly id: string;
  readonly backend: string;
  acceptingJobs: boolean;
}

const API = "/api/v1";

export class IbmTestServer {
  readonly requests: RecordedRequest[] = [];
  tokenExchanges = 0;
  /** Requests that arrived with a token past its expiry (a client that refreshes in time sends none). */
  expiredTokenUses = 0;
  /** Epoch milliseconds at which the last issued token stops being accepted. */
  lastTokenExpiresAt = 0;
  private readonly failures = new FailureQueue<RecordedRequest["route"]>();
  private readonly jobFailures: { reason: string; code: number }[] = [];
  private readonly tokens = new Map<string, number>();
  /** Every job created, in order (what a user would be billed for). */
  readonly jobs = new Map<string, ServerJob>();
  readonly sessions = new Map<string, ServerSession>();
  private readonly lostAnswers: ("cut" | "503")[] = [];
  private readonly backends: Map<string, TestBackend>;
  private jobCount = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: IbmTestServerOptions,
  ) {
    const list = options.backends ?? [loadFixtureBackend("test_heron6"), loadFixtureBackend("test_eagle5")];
    this.backends = new Map(list.map((b) => [b.configuration.backend_name, b]));
  }

  static async start(options: IbmTestServerOptions): Promise<IbmTestServer> {
    let instance: IbmTestServer | null = null;
    const server = createServer((req, res) => {
      void instance!.handle(req, res);
    });
    instance = new IbmTestServer(server, options);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return instance;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The environment a client needs to reach this server as the configured user. */
  env(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      IBM_CLOUD_API_KEY: this.options.apiKey,
      IBM_QUANTUM_CRN: this.options.serviceCrn,
      IBM_QUANTUM_URL: `${this.origin}${API}`,
      IBM_IAM_URL: this.origin,
      ...overrides,
    };
  }

  failNext(failure: InjectedFailure): void {
    this.failures.push(failure);
  }

  /**
   * The next job submission is accepted (the job exists and runs) but its answer is lost: the
   * connection is cut before any response ("cut"), or a 503 is sent instead of the job ("503").
   */
  loseNextSubmissionAnswer(how: "cut" | "503"): void {
    this.lostAnswers.push(how);
  }

  /** The next created job ends Failed with this reason (and reason_code). */
  failNextJob(reason: string, code: number): void {
    this.jobFailures.push({ reason, code });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { url, route, body, send } = await receive(req, res, this.origin, routeOf, this.requests);
    if (this.failures.answer(route, send, apiError)) return;
    if (this.options.maxBodyBytes !== undefined && Buffer.byteLength(body) > this.options.maxBodyBytes) {
      return send(413, apiError(413, `request body of ${Buffer.byteLength(body)} bytes is larger than ${this.options.maxBodyBytes}`));
    }
    try {
      if (route === "iam") return this.token(req, body, send);
      if (!url.pathname.startsWith(API)) return send(404, apiError(404, "not found"));
      const auth = this.authorize(req);
      if (auth) return send(auth.status, apiError(auth.status, auth.message));
      const parts = url.pathname.slice(API.length).split("/").filter(Boolean).map(decodeURIComponent);
      if (route === "create") {
        const lost = this.lostAnswers.shift();
        if (lost === "cut") return this.createJob(body, () => res.destroy());
        if (lost === "503") return this.createJob(body, (status, payload) => send(status === 200 ? 503 : status, status === 200 ? apiError(503, "Service Unavailable") : payload));
        return this.createJob(body, send);
      }
      if (route === "list") return send(200, this.listJobs(url.searchParams));
      if (route === "session-create") return this.createSession(body, send);
      if (route === "session-update") return this.updateSession(parts[1], body, send);
      if (parts[0] === "jobs" && parts.length >= 2) {
        const job = this.jobs.get(parts[1]);
        if (!job) return send(404, apiError(404, `job ${parts[1]} not found`));
        if (route === "status") return send(200, this.jobState(job));
        if (route === "metrics") {
          const done = stateOf(job, this.pollsPerState).status === "Completed";
          const seconds = done ? Math.round(job.executions * (this.options.secondsPerExecution ?? 0.0005) * 1000) / 1000 : 0;
          return send(200, { usage: { quantum_seconds: seconds, seconds }, timestamps: { created: "2026-11-25T00:00:00Z" }, executions: job.executions });
        }
        if (route === "results") {
          const state = stateOf(job, this.pollsPerState);
          if (state.status !== "Completed") return send(409, apiError(409, `job ${job.id} is ${state.status}, no results`));
          return send(200, job.results);
        }
        if (route === "cancel") {
          job.cancelled = true;
          return send(204, undefined);
        }
      }
      if (parts[0] === "backends" && parts.length === 3) {
        const backend = this.backends.get(parts[1]);
        if (!backend) return send(404, apiError(404, `backend ${parts[1]} not found`, 1007));
        if (route === "configuration") return send(200, backend.configuration);
        if (route === "properties") return send(200, backend.properties);
      }
      return send(404, apiError(404, `no route ${req.method} ${url.pathname}`));
    } catch (e) {
      return send(500, apiError(500, `test server error: ${(e as Error).message}`));
    }
  }

  private get pollsPerState(): number {
    return this.options.pollsPerState ?? 1;
  }

  private token(req: IncomingMessage, body: string, send: (s: number, p: unknown) => void): void {
    if (!String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
      return send(400, { errorCode: "BXNIM0109E", errorMessage: "Content-Type must be application/x-www-form-urlencoded" });
    }
    const form = new URLSearchParams(body);
    if (form.get("grant_type") !== "urn:ibm:params:oauth:grant-type:apikey") {
      return send(400, { errorCode: "BXNIM0103E", errorMessage: "Unsupported grant_type" });
    }
    if (form.get("apikey") !== this.options.apiKey) {
      return send(400, { errorCode: "BXNIM0415E", errorMessage: "Provided API key could not be found." });
    }
    const ttl = this.options.tokenTtlSeconds ?? 3600;
    const token = randomBytes(24).toString("base64url");
    // Like IAM, `expiration` is whole epoch seconds; the token is refused from that instant on.
    const expiration = Math.floor(Date.now() / 1000) + ttl;
    this.tokens.set(token, expiration * 1000);
    this.lastTokenExpiresAt = expiration * 1000;
    this.tokenExchanges++;
    send(200, {
      access_token: token,
      refresh_token: "not_supported",
      token_type: "Bearer",
      expires_in: ttl,
      expiration,
      scope: "ibm openid",
    });
  }

  private authorize(req: IncomingMessage): { status: number; message: string } | null {
    const auth = String(req.headers.authorization ?? "");
    const m = auth.match(/^Bearer (.+)$/);
    const expiresAt = m ? this.tokens.get(m[1]) : undefined;
    if (expiresAt === undefined) return { status: 401, message: "Invalid or missing bearer token" };
    if (Date.now() >= expiresAt) {
      this.expiredTokenUses++;
      return { status: 401, message: "Token expired" };
    }
    if (req.headers["service-crn"] !== this.options.serviceCrn) return { status: 403, message: "Service-CRN does not name an instance this token can use" };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(String(req.headers["ibm-api-version"] ?? ""))) {
      return { status: 400, message: "IBM-API-Version header (YYYY-MM-DD) is required" };
    }
    return null;
  }

  private jobState(job: ServerJob): unknown {
    const state = this.jobStateOf(job);
    job.polls++;
    return state;
  }

  private jobStateOf(job: ServerJob): unknown {
    const state = stateOf(job, this.pollsPerState);
    return { id: job.id, backend: job.backend, program: { id: "sampler" }, status: state.status, state, created: "2026-11-25T00:00:00Z" };
  }

  private createJob(body: string, send: (s: number, p: unknown) => void): void {
    let request: unknown;
    try {
      request = JSON.parse(body);
    } catch {
      return send(400, apiError(400, "request body is not JSON"));
    }
    const problem = validateCreate(request, this.backends);
    if (problem) return send(400, apiError(400, problem));
    const { backend, params, tags, session_id: sessionId } = request as {
      backend: string; params: { pubs: unknown[][]; options?: { default_shots?: number } }; tags?: string[]; session_id?: string;
    };
    if (sessionId !== undefined) {
      const session = this.sessions.get(sessionId);
      if (!session) return send(404, apiError(404, `session ${sessionId} not found`));
      if (!session.acceptingJobs || session.backend !== backend) return send(400, apiError(400, `session ${sessionId} does not accept jobs for ${backend}`));
    }
    const id = `test-job-${++this.jobCount}-${randomBytes(4).toString("hex")}`;
    const injected = this.jobFailures.shift() ?? null;
    const target = this.backends.get(backend)!;
    let failure = injected;
    let results: unknown = null;
    if (!failure) {
      const programs = params.pubs.map((pub) => parseIsaQasm3(pub[0] as string));
      const violation = programs.map((p, i) => isaViolation(p, target, i)).find((v) => v !== null) ?? null;
      if (violation) failure = { reason: `Circuits do not match the target definition (non-ISA circuits): ${violation}`, code: 1517 };
      else {
        const stream = new RandomStream(this.options.seed ?? 1, "shuffle", this.jobCount);
        const plain = {
          results: params.pubs.map((pub, i) => {
            const rows = (pub[1] ?? null) as number[][] | null;
            const shots = (pub[2] as number | undefined) ?? params.options?.default_shots ?? 4096;
            const program = programs[i];
            const run = (row: readonly number[]) => sampleHex(program, new Map(program.parameters.map((n, k) => [n, row[k]])), shots, stream);
            const samples = rows === null ? run([]) : rows.map(run);
            return { data: { [program.register.name]: { samples, num_bits: program.register.size } }, metadata: { circuit_metadata: {} } };
          }),
          metadata: { execution: { execution_spans: [] }, version: 2 },
        };
        results = this.options.encoding === "typed" ? typedResults(plain) : plain;
      }
    }
    const executions = params.pubs.reduce((n, pub) => n + (Array.isArray(pub[1]) ? pub[1].length : 1) * ((pub[2] as number | undefined) ?? params.options?.default_shots ?? 4096), 0);
    this.jobs.set(id, { id, backend, polls: 0, cancelled: false, failure, results, tags: tags ?? [], sessionId: sessionId ?? null, executions });
    send(200, { id, backend, ...(sessionId ? { session_id: sessionId } : {}) });
  }

  private listJobs(query: URLSearchParams): unknown {
    const tags = query.getAll("tags");
    const found = [...this.jobs.values()].filter((j) => tags.every((t) => j.tags.includes(t)));
    const jobs = found.map((j) => ({ ...(this.jobStateOf(j) as object), tags: j.tags, session_id: j.sessionId }));
    return { jobs, count: jobs.length, limit: Number(query.get("limit") ?? 200), offset: 0 };
  }

  private createSession(body: string, send: (s: number, p: unknown) => void): void {
    const r = JSON.parse(body) as { mode?: unknown; backend?: unknown };
    if (r.mode !== "batch" && r.mode !== "dedicated") return send(400, apiError(400, `mode must be batch or dedicated, got ${JSON.stringify(r.mode)}`));
    if (typeof r.backend !== "string" || !this.backends.has(r.backend)) return send(400, apiError(400, `backend ${JSON.stringify(r.backend)} not found`));
    const id = `test-session-${this.sessions.size + 1}-${randomBytes(4).toString("hex")}`;
    this.sessions.set(id, { id, backend: r.backend, acceptingJobs: true });
    send(200, { id, backend_name: r.backend, mode: r.mode, state: "open", accepting_jobs: true, max_ttl: 28800 });
  }

  private updateSession(id: string, body: string, send: (s: number, p: unknown) => void): void {
    const session = this.sessions.get(id);
    if (!session) return send(404, apiError(404, `session ${id} not found`));
    const r = JSON.parse(body) as { accepting_jobs?: unknown };
    if (typeof r.accepting_jobs !== "boolean") return send(400, apiError(400, "accepting_jobs must be a boolean"));
    session.acceptingJobs = r.accepting_jobs;
    send(204, undefined);
  }
}

function routeOf(method: string, path: string): RecordedRequest["route"] {
  if (method === "POST" && path === "/identity/token") return "iam";
  if (method === "POST" && path === `${API}/jobs`) return "create";
  if (method === "GET" && /^\/api\/v1\/jobs\/[^/]+$/.test(path)) return "status";
  if (method === "GET" && /^\/api\/v1\/jobs\/[^/]+\/results$/.test(path)) return "results";
  if (method === "POST" && /^\/api\/v1\/jobs\/[^/]+\/cancel$/.test(path)) return "cancel";
  if (method === "GET" && path === `${API}/jobs`) return "list";
  if (method === "GET" && /^\/api\/v1\/jobs\/[^/]+\/metrics$/.test(path)) return "metrics";
  if (method === "POST" && path === `${API}/sessions`) return "session-create";
  if (method === "PATCH" && /^\/api\/v1\/sessions\/[^/]+$/.test(path)) return "session-update";
  if (method === "GET" && /^\/api\/v1\/backends\/[^/]+\/configuration$/.test(path)) return "configuration";
  if (method === "GET" && /^\/api\/v1\/backends\/[^/]+\/properties$/.test(path)) return "properties";
  return "other";
}

function stateOf(job: ServerJob, perState: number): { status: string; reason?: string; reason_code?: number } {
  if (job.cancelled) return { status: "Cancelled", reason: "Cancelled by user" };
  if (job.polls < perState) return { status: "Queued" };
  if (job.polls < 2 * perState) return { status: "Running" };
  if (job.failure) return { status: "Failed", reason: job.failure.reason, reason_code: job.failure.code };
  return { status: "Completed" };
}

/**
 * The plain results in Qiskit's RuntimeEncoder form: each register's hex samples become a
 * BitArray whose array is numpy.save's bytes of a uint8 array of shape (rows..., shots, bytes),
 * each shot big-endian across its bytes, then zlib-compressed and base64-encoded.
 */
function typedResults(plain: { results: { data: Record<string, { samples: unknown; num_bits: number }>; metadata: unknown }[]; metadata: unknown }): unknown {
  const pubResults = plain.results.map((r) => {
    const fields: Record<string, unknown> = {};
    let shape: number[] = [];
    for (const [name, reg] of Object.entries(r.data)) {
      const rows = Array.isArray((reg.samples as unknown[])[0]) ? (reg.samples as string[][]) : null;
      const flat = rows ? rows.flat() : (reg.samples as string[]);
      const width = Math.ceil(reg.num_bits / 8);
      const shots = rows ? rows[0].length : flat.length;
      shape = rows ? [rows.length] : [];
      const bytes = new Uint8Array(flat.length * width);
      flat.forEach((hex, k) => {
        let v = BigInt(hex);
        for (let b = width - 1; b >= 0; b--, v >>= 8n) bytes[k * width + b] = Number(v & 0xffn);
      });
      const npy = npyUint8([...shape, shots, width], bytes);
      fields[name] = { __type__: "BitArray", __value__: { array: { __type__: "ndarray", __value__: deflateSync(npy).toString("base64") }, num_bits: reg.num_bits } };
    }
    const data = { __type__: "DataBin", __value__: { field_names: Object.keys(fields), shape, fields } };
    return { __type__: "SamplerPubResult", __value__: { data, metadata: r.metadata } };
  });
  return { __type__: "PrimitiveResult", __value__: { pub_results: pubResults, metadata: plain.metadata } };
}

/** numpy.save of a C-order uint8 array: magic, version 1.0, header padded to 64 bytes, data. */
function npyUint8(shape: readonly number[], data: Uint8Array): Buffer {
  const dict = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  const unpadded = 10 + dict.length + 1;
  const header = dict + " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(prefix);
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, "latin1"), Buffer.from(data)]);
}

/** IBM Cloud's error body shape. */
function apiError(status: number, message: string, code: number | string = status): unknown {
  return { errors: [{ code, message, more_info: "https://quantum.cloud.ibm.com/docs/errors" }], trace: randomBytes(8).toString("hex"), status_code: status };
}

/** The body of POST /jobs checked against the Sampler V2 parameter schema; null when valid. */
function validateCreate(request: unknown, backends: ReadonlyMap<string, TestBackend>): string | null {
  if (typeof request !== "object" || request === null) return "body must be an object";
  const r = request as Record<string, unknown>;
  if (r.program_id !== "sampler") return `program_id must be "sampler", got ${JSON.stringify(r.program_id)}`;
  if (typeof r.backend !== "string" || !backends.has(r.backend)) return `backend ${JSON.stringify(r.backend)} not found`;
  const params = r.params as Record<string, unknown> | undefined;
  if (typeof params !== "object" || params === null) return "params must be an object";
  const extra = Object.keys(params).filter((k) => !["pubs", "version", "options", "support_qiskit"].includes(k));
  if (extra.length > 0) return `params has unknown fields ${extra.join(", ")}`;
  if (params.version !== 2) return "params.version must be 2";
  if (params.options !== undefined) {
    const o = params.options as Record<string, unknown>;
    if (Object.keys(o).some((k) => k !== "default_shots") || (o.default_shots !== undefined && !(Number.isInteger(o.default_shots) && (o.default_shots as number) >= 1))) {
      return "params.options may hold only default_shots (integer >= 1) in this test server";
    }
  }
  if (!Array.isArray(params.pubs) || params.pubs.length === 0) return "params.pubs must be a non-empty array";
  for (let i = 0; i < params.pubs.length; i++) {
    const pub = params.pubs[i] as unknown[];
    if (!Array.isArray(pub) || pub.length < 1 || pub.length > 3) return `pubs[${i}] must be [circuit, parameter_values?, shots?]`;
    if (typeof pub[0] !== "string" || !pub[0].startsWith("OPENQASM 3")) return `pubs[${i}][0] must be OpenQASM 3 text`;
    let program: IsaProgram;
    try {
      program = parseIsaQasm3(pub[0]);
    } catch (e) {
      return `pubs[${i}][0] does not parse: ${(e as Error).message}`;
    }
    const rows = pub[1];
    if (rows !== undefined && rows !== null) {
      if (!Array.isArray(rows) || rows.length === 0 || !rows.every((row) => Array.isArray(row) && row.length === program.parameters.length && row.every((v) => typeof v === "number"))) {
        return `pubs[${i}][1] must be rows of ${program.parameters.length} numbers`;
      }
    } else if (program.parameters.length > 0) {
      return `pubs[${i}] declares ${program.parameters.length} input parameters but has no values`;
    }
    if (pub[2] !== undefined && !(Number.isInteger(pub[2]) && (pub[2] as number) > 0)) return `pubs[${i}][2] (shots) must be a positive integer`;
  }
  return null;
}

/** Why a program is not an ISA circuit of the backend, or null. */
function isaViolation(program: IsaProgram, backend: TestBackend, pub: number): string | null {
  if (program.nonIsa.length > 0) return `pub ${pub}: ${program.nonIsa[0]}`;
  const { basis_gates: basis, n_qubits: n, coupling_map: coupling } = backend.configuration;
  for (const g of program.gates) {
    if (!basis.includes(g.name)) return `pub ${pub}: instruction ${g.name} is not in basis_gates ${basis.join(",")}`;
    if (g.qubits.some((q) => q < 0 || q >= n)) return `pub ${pub}: ${g.name} on a qubit outside 0..${n - 1}`;
    if (g.qubits.length === 2 && !coupling.some(([a, b]) => a === g.qubits[0] && b === g.qubits[1])) {
      return `pub ${pub}: ${g.name} $${g.qubits[0]}, $${g.qubits[1]} is not in the coupling map`;
    }
  }
  for (const m of program.measurements) if (m.qubit < 0 || m.qubit >= n) return `pub ${pub}: measure on qubit ${m.qubit}`;
  // Faulty elements are not part of a device's target (Qiskit leaves them out of it), so a circuit
  // that uses one is not ISA: a qubit marked operational: false, a coupler with gate_error 1 or
  // marked operational: false.
  const faulty = faultyElements(backend);
  for (const g of program.gates) {
    const q = g.qubits.find((x) => faulty.qubits.has(x));
    if (q !== undefined) return `pub ${pub}: ${g.name} on faulty qubit ${q}`;
    if (g.qubits.length === 2 && faulty.couplers.has(`${g.name}:${g.qubits[0]},${g.qubits[1]}`)) return `pub ${pub}: ${g.name} $${g.qubits[0]}, $${g.qubits[1]} is a faulty coupler`;
  }
  for (const m of program.measurements) if (faulty.qubits.has(m.qubit)) return `pub ${pub}: measure on faulty qubit ${m.qubit}`;
  return null;
}

interface Nduv {
  readonly name: string;
  readonly value: unknown;
}

function faultyElements(backend: TestBackend): { qubits: Set<number>; couplers: Set<string> } {
  const props = backend.properties as { qubits?: Nduv[][]; gates?: { gate: string; qubits: number[]; parameters?: Nduv[] }[] };
  const qubits = new Set<number>();
  (props.qubits ?? []).forEach((q, i) => {
    if (q.some((p) => p.name === "operational" && p.value === false)) qubits.add(i);
  });
  const couplers = new Set<string>();
  for (const g of props.gates ?? []) {
    const bad = (g.parameters ?? []).some((p) => (p.name === "gate_error" && p.value === 1) || (p.name === "operational" && p.value === false));
    if (g.qubits.length === 2 && bad) couplers.add(`${g.gate}:${g.qubits[0]},${g.qubits[1]}`);
  }
  return { qubits, couplers };
}

/** Runs a bound ISA program on quantum-circuit and returns `shots` hex samples (bit i = c[i]). */
function sampleHex(program: IsaProgram, values: ReadonlyMap<string, number>, shots: number, stream: RandomStream): string[] {
  const used = [...new Set([...program.gates.flatMap((g) => g.qubits), ...program.measurements.map((m) => m.qubit)])].sort((a, b) => a - b);
  const wire = new Map(used.map((q, k) => [q, k]));
  const circuit = new QuantumCircuit(Math.max(1, used.length));
  for (const g of program.gates) {
    const w = g.qubits.map((q) => wire.get(q)!);
    const angle = (k: number) => g.args[k](values);
    switch (g.name) {
      case "rz":
        circuit.appendGate("rz", w, { params: { phi: angle(0) } });
        break;
      case "sx":
        circuit.appendGate("srn", w);
        break;
      case "x":
        circuit.appendGate("x", w);
        break;
      case "cz":
        circuit.appendGate("cz", w);
        break;
      case "ecr":
        // Qiskit's ECR(c, t) = RZX(pi/4) . X on c . RZX(-pi/4), with RZX(a) = H_t CX RZ_t(a) CX H_t.
        rzx(circuit, w[0], w[1], Math.PI / 4);
        circuit.appendGate("x", [w[0]]);
        rzx(circuit, w[0], w[1], -Math.PI / 4);
        break;
      default:
        throw new Error(`test server cannot execute ${g.name}`);
    }
  }
  circuit.run();
  const state = circuit.stateAsSimpleArray();
  const cumulative: number[] = [];
  const outcomes: bigint[] = [];
  let total = 0;
  state.forEach((a, index) => {
    const p = a.re * a.re + a.im * a.im;
    if (p < 1e-15) return;
    let value = 0n;
    for (const m of program.measurements) if ((index >> wire.get(m.qubit)!) & 1) value |= 1n << BigInt(m.clbit);
    total += p;
    cumulative.push(total);
    outcomes.push(value);
  });
  const samples: string[] = [];
  for (let s = 0; s < shots; s++) {
    const u = stream.uniform() * total;
    let k = cumulative.findIndex((c) => u < c);
    if (k < 0) k = cumulative.length - 1;
    samples.push(`0x${outcomes[k].toString(16)}`);
  }
  return samples;
}

function rzx(circuit: QuantumCircuit, control: number, target: number, angle: number): void {
  circuit.appendGate("h", [target]);
  circuit.appendGate("cx", [control, target]);
  circuit.appendGate("rz", [target], { params: { phi: angle } });
  circuit.appendGate("cx", [control, target]);
  circuit.appendGate("h", [target]);
}
