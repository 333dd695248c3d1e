import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JobLedger } from "../../src/job-ledger.js";
import type { CircuitJob, Pub } from "../../src/provider.js";
import { IbmRuntimeProvider, type IbmRuntimeProviderOptions } from "../../src/providers/ibm-runtime-provider.js";
const TEST_KEY = "nq-test-apikey-Safety-7Hq2";
import { IbmTestServer, type IbmTestServerOptions } from "./ibm-test-server.js";

// What makes a run on a paid device safe: no job is created twice, every job id and raw result is
// on disk before it is decoded, a stopped run resumes without resubmitting, results arrive in
// either of IBM's encodings, large work is split under the request limit, and the jobs run in a
// batch session. All against the local server that follows IBM's published shapes.

const CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/0f0f0f0f0f:1a2b3c4d-0000-4000-8000-00000000abcd::";
const isa = (body: string, clbits: number) => `OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[${clbits}] c;\n${body}`;

/** Pubs whose outcomes are certain, each different: PUB k flips the qubits of k's binary digits. */
function certainPubs(count: number): Pub[] {
  return Array.from({ length: count }, (_, k) => {
    const flips = [0, 1, 2].filter((q) => (k >> q) & 1).map((q) => `x $${q};\n`).join("");
    return { program: isa(`${flips}c[0] = measure $0;\nc[1] = measure $1;\nc[2] = measure $2;\n`, 3), clbits: 3, bindings: null };
  });
}
const expected = (k: number) => [0, 1, 2].map((q) => (k >> q) & 1);

let server: IbmTestServer;
let lines: string[];

async function startServer(options: Partial<IbmTestServerOptions> = {}): Promise<void> {
  server = await IbmTestServer.start({ apiKey: TEST_KEY, serviceCrn: CRN, seed: 3, ...options });
}

beforeEach(async () => {
  await startServer();
  lines = [];
});
afterEach(async () => {
  await server.close();
});

function provider(overrides: Partial<IbmRuntimeProviderOptions> = {}): IbmRuntimeProvider {
  return new IbmRuntimeProvider({
    backend: "test_heron6",
    env: server.env(),
    submissionIntervalMs: 0,
    pollInitialMs: 5,
    lookupDelaysMs: [0, 5, 20],
    pollMaxMs: 20,
    retry: { baseDelayMs: 10, maxDelayMs: 200, maxRetries: 3 },
    log: (line) => lines.push(line),
    ...overrides,
  });
}

const creates = () => server.requests.filter((r) => r.route === "create");
const ledgerDir = () => join(mkdtempSync(join(tmpdir(), "nq-ledger-")), "jobs");

async function expectCertain(job: CircuitJob, p: IbmRuntimeProvider): Promise<void> {
  const result = await p.run(job);
  expect(result).toHaveLength(job.pubs.length);
  result.forEach(([shots], k) => {
    for (const s of shots) expect(Array.from(s)).toEqual(expected(k));
  });
}

describe("a job is never created twice", () => {
  for (const how of ["cut", "503"] as const) {
    it(`the answer to an accepted submission is lost (${how === "cut" ? "connection cut" : "503 after accepting"}): the job is found by its tag, not submitted again`, async () => {
      server.loseNextSubmissionAnswer(how);
      await expectCertain({ pubs: certainPubs(3), shots: 20 }, provider());
      expect(server.jobs.size).toBe(1);
      expect(creates()).toHaveLength(1);
      expect(lines.join("\n")).toMatch(/looking the job up by its tag nq-/);
      expect(lines.join("\n")).toMatch(/found IBM Quantum job test-job-1-\w+ by its tag/);
    });
  }

  it("a 503 for a submission that was not accepted: looked up, not found, submitted once more", async () => {
    server.failNext({ route: "create", status: 503 });
    await expectCertain({ pubs: certainPubs(2), shots: 10 }, provider());
    expect(server.jobs.size).toBe(1);
    expect(creates()).toHaveLength(2);
    expect(lines.join("\n")).toMatch(/no IBM Quantum job carries the tag nq-\S+ after 3 searches over 0.025 s: it was not created; submitting it again/);
  });
});

describe("the job ledger: ids and raw results on disk, resumed without paying twice", () => {
  it("records every job before it is sent and its raw result before it is decoded; a rerun on the ledger submits nothing", async () => {
    const dir = ledgerDir();
    const job = { pubs: certainPubs(4), shots: 10 };
    await expectCertain(job, provider({ ledger: JobLedger.open(dir, { resume: false }), maxBytesPerJob: 300 }));
    const jobs = server.jobs.size;
    expect(jobs).toBeGreaterThan(1);
    const files = readdirSync(dir);
    expect(files.filter((f) => f.endsWith(".job.json"))).toHaveLength(jobs);
    expect(files.filter((f) => f.endsWith(".result.json"))).toHaveLength(jobs);
    for (const e of JobLedger.open(dir, { resume: true }).entries()) {
      expect(e.jobId).toMatch(/^test-job-/);
      expect(e.resultSaved).toBe(true);
    }
    await expectCertain(job, provider({ ledger: JobLedger.open(dir, { resume: true }), maxBytesPerJob: 300 }));
    expect(server.jobs.size).toBe(jobs);
    expect(creates()).toHaveLength(jobs);
  });

  it("a run that stopped before fetching its results resumes from the job ids: results fetched, nothing resubmitted", async () => {
    const dir = ledgerDir();
    const job = { pubs: certainPubs(4), shots: 10 };
    server.failNext({ route: "results", status: 400, times: 1 });
    await expect(provider({ ledger: JobLedger.open(dir, { resume: false }), maxBytesPerJob: 300 }).run(job)).rejects.toThrow(/HTTP 400/);
    const jobs = server.jobs.size;
    expect(jobs).toBeGreaterThan(1);
    await expectCertain(job, provider({ ledger: JobLedger.open(dir, { resume: true }), maxBytesPerJob: 300 }));
    expect(server.jobs.size).toBe(jobs);
  });

  it("a run killed between sending a job and recording its id finds the job by the recorded tag", async () => {
    const dir = ledgerDir();
    const job = { pubs: certainPubs(2), shots: 10 };
    await expectCertain(job, provider({ ledger: JobLedger.open(dir, { resume: false }) }));
    // As if the process died after POST /jobs was sent: the entry has its tag but no id, no result.
    const [file] = readdirSync(dir).filter((f) => f.endsWith(".job.json"));
    const entry = JSON.parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
    writeFileSync(join(dir, file), JSON.stringify({ ...entry, jobId: null, resultSaved: false }));
    await expectCertain(job, provider({ ledger: JobLedger.open(dir, { resume: true }) }));
    expect(server.jobs.size).toBe(1);
    expect(lines.join("\n")).toMatch(/found IBM Quantum job .* by its tag/);
  });

  it("refuses a ledger that holds jobs unless resuming, and a resume with nothing to resume", async () => {
    const dir = ledgerDir();
    expect(() => JobLedger.open(dir, { resume: true })).toThrow(/holds no device jobs to resume; drop --resume/);
    await expectCertain({ pubs: certainPubs(1), shots: 5 }, provider({ ledger: JobLedger.open(dir, { resume: false }) }));
    expect(() => JobLedger.open(dir, { resume: false })).toThrow(/holds 1 device job of an earlier run; add --resume/);
  });
});

describe("results, request size, sessions and usage", () => {
  it("decodes the typed PrimitiveResult/BitArray encoding to the same bits as the plain one, with parameter rows, and says which it saw", async () => {
    const pubs: Pub[] = [
      ...certainPubs(3),
      {
        program: `OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float[64] p0;\nbit[2] c;\nsx $0;\nrz(p0 + pi) $0;\nsx $0;\nx $1;\nc[0] = measure $0;\nc[1] = measure $1;\n`,
        clbits: 2,
        bindings: [[0.4], [1.9], [3.0]],
      },
      // Ten bits span two bytes of a BitArray: c[9] (set) sits in the first byte, c[0] in the last.
      { program: isa(`x $1;\nc[0] = measure $0;\nc[9] = measure $1;\n`, 10), clbits: 10, bindings: null },
    ];
    const plain = await provider().run({ pubs, shots: 64 });
    expect(lines.join("\n")).toMatch(/results in plain JSON \(hex samples\)/);
    await server.close();
    await startServer({ encoding: "typed" });
    lines = [];
    const typed = await provider().run({ pubs, shots: 64 });
    expect(lines.join("\n")).toMatch(/results in typed PrimitiveResult \(BitArray\)/);
    expect(typed.map((rows) => rows.map((shots) => shots.map((s) => Array.from(s))))).toEqual(plain.map((rows) => rows.map((shots) => shots.map((s) => Array.from(s)))));
    expect(typed[3]).toHaveLength(3);
    for (const s of typed[4][0]) expect(Array.from(s)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it("splits work under the request limit, and splits further when the service answers 413", async () => {
    const job = { pubs: certainPubs(8), shots: 10 };
    await expectCertain(job, provider({ maxBytesPerJob: 300 }));
    const underLimit = server.jobs.size;
    expect(underLimit).toBeGreaterThan(2);
    for (const r of creates()) expect(Buffer.byteLength(r.body)).toBeLessThan(300 + 400);
    await server.close();
    await startServer({ maxBodyBytes: 1000 });
    lines = [];
    await expectCertain(job, provider());
    expect(creates().filter((r) => r.status === 413).length).toBeGreaterThan(0);
    expect(lines.join("\n")).toMatch(/too large for the service \(HTTP 413\); splitting it/);
  });

  it("runs the jobs in one batch session and closes it; reports the QPU seconds the metrics give", async () => {
    const p = provider({ maxBytesPerJob: 300 });
    await expectCertain({ pubs: certainPubs(6), shots: 100 }, p);
    expect(server.sessions.size).toBe(1);
    const [session] = server.sessions.values();
    for (const job of server.jobs.values()) expect(job.sessionId).toBe(session.id);
    const bodies = server.requests.filter((r) => r.route === "session-create").map((r) => JSON.parse(r.body) as { mode: string; backend: string });
    expect(bodies).toEqual([{ mode: "batch", backend: "test_heron6" }]);
    await p.close();
    expect(session.acceptingJobs).toBe(false);
    expect(p.quantumSecondsUsed).toBeCloseTo(6 * 100 * 0.0005, 9);
  });
});

describe("IAM failures", () => {
  it("an IAM that keeps failing with 5xx is reported as IAM failing, not as a rejected key", async () => {
    server.failNext({ route: "iam", status: 503, times: 10 });
    const error = await provider().run({ pubs: certainPubs(1), shots: 5 }).then(() => null, (e: Error) => e);
    expect(error?.message).toMatch(/^IBM Cloud IAM at http:\/\/127\.0\.0\.1:\d+\/identity\/token is failing \(HTTP 503 after 3 retries\); try again later$/);
    expect(error?.message).not.toMatch(/did not accept the API key/);
  });

  it("an IAM error that quotes the key does not show it", async () => {
    server.failNext({ route: "iam", status: 400, body: { errorCode: "BXNIM0415E", errorMessage: `Provided API key ${TEST_KEY} could not be found.` } });
    const error = await provider().run({ pubs: certainPubs(1), shots: 5 }).then(() => null, (e: Error) => e);
    expect(error?.message).toMatch(/did not accept the API key \(HTTP 400 BXNIM0415E: Provided API key \[the key\] could not be found\.\)/);
    expect(error?.message).not.toContain(TEST_KEY);
  });
});
