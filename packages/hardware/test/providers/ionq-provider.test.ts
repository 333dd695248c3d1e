import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Circuit } from "../../src/circuit.js";
import { compileForTarget } from "../../src/compile.js";
import { JobLedger } from "../../src/job-ledger.js";
import type { CircuitJob, Pub } from "../../src/provider.js";
import { toQasm2 } from "../../src/qasm.js";
import { IonqProvider, type IonqProviderOptions } from "../../src/providers/ionq-provider.js";
import { IonqError } from "../../src/providers/ionq-rest.js";
import { IonqTestServer, type IonqTestServerOptions } from "./ionq-test-server.js";
import { countOnes, expectBinomial } from "./stats.js";

const TEST_KEY = "nq-test-ionq-key-Vw93kQ1z";

let server: IonqTestServer;
let lines: string[];

async function startServer(options: Partial<IonqTestServerOptions> = {}): Promise<void> {
  server = await IonqTestServer.start({ apiKey: TEST_KEY, seed: 5, ...options });
}
beforeEach(async () => {
  await startServer();
  lines = [];
});
afterEach(async () => {
  await server.close();
});

function provider(overrides: Partial<IonqProviderOptions> = {}, env: Record<string, string> = {}): IonqProvider {
  return new IonqProvider({
    device: "qpu.aria-1",
    env: server.env(env),
    pollInitialMs: 5,
    pollMaxMs: 20,
    retry: { baseDelayMs: 10, maxDelayMs: 200, maxRetries: 3 },
    lookupDelaysMs: [0],
    log: (line) => lines.push(line),
    ...overrides,
  });
}

const creates = () => server.requests.filter((r) => r.route === "create");
const ledgerDir = () => join(mkdtempSync(join(tmpdir(), "nq-ionq-ledger-")), "jobs");

/** A circuit compiled for the device, as the hardware layer would send it. */
async function pubOf(p: IonqProvider, circuit: Circuit): Promise<Pub> {
  const compiled = compileForTarget(circuit, await p.target());
  return { program: toQasm2(compiled), clbits: circuit.numClbits, bindings: null };
}

/** Pub k flips the qubits of k's binary digits, so its outcome is certain and distinct. */
async function certainPubs(p: IonqProvider, count: number): Promise<Pub[]> {
  const pubs: Pub[] = [];
  for (let k = 0; k < count; k++) {
    const flips = [0, 1, 2].filter((q) => (k >> q) & 1).map((q) => ({ op: "x" as const, qubit: q }));
    pubs.push(await pubOf(p, { numQubits: 3, numClbits: 3, ops: [...flips, ...[0, 1, 2].map((q) => ({ op: "measure" as const, qubit: q, clbit: q }))] }));
  }
  return pubs;
}
const expected = (k: number) => [0, 1, 2].map((q) => (k >> q) & 1);

async function expectCertain(job: CircuitJob, p: IonqProvider): Promise<void> {
  const result = await p.run(job);
  expect(result).toHaveLength(job.pubs.length);
  result.forEach(([shots], k) => {
    expect(shots).toHaveLength(job.shots);
    for (const s of shots) expect(Array.from(s)).toEqual(expected(k));
  });
}

describe("ionq against the local IonQ v0.4 test server", () => {
  it("builds the target from the backend's characterization: gpi/gpi2/ms, all pairs, 1 - fidelity as errors, SPAM readout", async () => {
    const target = await provider().target();
    expect(target.name).toBe("qpu.aria-1");
    expect(target.numQubits).toBe(25);
    expect(target.basisGates).toEqual(["gpi", "gpi2", "ms"]);
    expect(target.couplingMap).toHaveLength(25 * 24);
    expect(target.qubits[3].readoutP01).toBeCloseTo(1 - 0.9939, 12);
    expect(target.qubits[3].t1).toBe(100);
    expect(target.instructions.find((i) => i.gate === "ms")?.error).toBeCloseTo(1 - 0.986, 12);
    expect(target.instructions.find((i) => i.gate === "gpi2")?.duration).toBe(0.000135);
    const sim = await provider({ device: "simulator" }).target();
    expect(sim.numQubits).toBe(10);
    expect(sim.instructions.every((i) => i.error === 0)).toBe(true);
  });

  it("bit order: IonQ's state key has qubit k at bit k (little-endian); element i of a shot is c[i]", async () => {
    const dir = ledgerDir();
    const p = provider({ ledger: JobLedger.open(dir, { resume: false }) });
    const pub = await pubOf(p, { numQubits: 4, numClbits: 4, ops: [{ op: "x", qubit: 2 }, { op: "x", qubit: 3 }, { op: "measure", qubit: 2, clbit: 0 }, { op: "measure", qubit: 0, clbit: 2 }, { op: "measure", qubit: 3, clbit: 1 }, { op: "measure", qubit: 1, clbit: 3 }] });
    const [[shots]] = await p.run({ pubs: [pub], shots: 40 });
    for (const s of shots) expect(Array.from(s)).toEqual([1, 1, 0, 0]);
    // The raw result on disk: qubits 2 and 3 set is state 2^2 + 2^3 = 12.
    const raw = JSON.parse(readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith(".result.json"))!), "utf8")) as { probabilities: Record<string, Record<string, number>> };
    expect(Object.values(raw.probabilities)).toEqual([{ "12": 1 }]);
  });

  for (const device of ["qpu.forte-1", "simulator"]) {
    it(`${device}: a compiled ry(theta) reads 1 with probability sin^2(theta/2) (${device === "simulator" ? "exact probabilities, shots drawn" : "shot histogram"})`, async () => {
      const p = provider({ device });
      const thetas = [0.4, 1.3, 2.6];
      const pubs = await Promise.all(thetas.map((t) => pubOf(p, { numQubits: 2, numClbits: 1, ops: [{ op: "ry", qubit: 1, angle: t }, { op: "measure", qubit: 1, clbit: 0 }] })));
      const result = await p.run({ pubs, shots: 2000 });
      thetas.forEach((t, i) => expectBinomial(countOnes(result[i][0], 0), 2000, Math.sin(t / 2) ** 2, `theta ${t}`));
      expect(lines.join("\n")).toMatch(device === "simulator" ? /exact probabilities \(ideal simulator\), shots drawn/ : /shot histograms, expanded into shots/);
    });
  }

  it("the shots of a histogram are put in a seeded order: the same seed gives the same shots, another seed another order", async () => {
    const p = provider();
    const pub = await pubOf(p, { numQubits: 1, numClbits: 1, ops: [{ op: "ry", qubit: 0, angle: Math.PI / 2 }, { op: "measure", qubit: 0, clbit: 0 }] });
    const run = async (seed: number) => (await p.run({ pubs: [pub], shots: 64 }, { seed: { seed, stream: 3, firstPub: 0 } }))[0][0].map((s) => s[0]).join("");
    const server2Job = server.jobs.size;
    const a = await run(1);
    const b = await run(1);
    expect(server.jobs.size).toBe(server2Job + 2);
    // Two jobs have two histograms; the order of each is drawn from the seed: compare the decode of one raw result.
    expect(a).toHaveLength(64);
    expect(b).toHaveLength(64);
    const dir = ledgerDir();
    const withLedger = provider({ ledger: JobLedger.open(dir, { resume: false }) });
    const first = (await withLedger.run({ pubs: [pub], shots: 64 }, { seed: { seed: 1, stream: 3, firstPub: 0 } }))[0][0].map((s) => s[0]).join("");
    const again = (await provider({ ledger: JobLedger.open(dir, { resume: true }) }).run({ pubs: [pub], shots: 64 }, { seed: { seed: 1, stream: 3, firstPub: 0 } }))[0][0].map((s) => s[0]).join("");
    const other = (await provider({ ledger: JobLedger.open(dir, { resume: true }) }).run({ pubs: [pub], shots: 64 }, { seed: { seed: 2, stream: 3, firstPub: 0 } }))[0][0].map((s) => s[0]).join("");
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect([...other].sort().join("")).toBe([...first].sort().join(""));
  });

  it("sends the documented request: apiKey header, ionq.multi-circuit.v1, native gates with phases in turns, its name as tag, debiasing off", async () => {
    const p = provider();
    const pub = await pubOf(p, { numQubits: 2, numClbits: 2, ops: [{ op: "ry", qubit: 0, angle: 0.5 }, { op: "cz", control: 0, target: 1 }, { op: "measure", qubit: 0, clbit: 0 }, { op: "measure", qubit: 1, clbit: 1 }] });
    await p.run({ pubs: [pub, pub], shots: 10 });
    const [create] = creates();
    expect(create.headers.authorization).toBe(`apiKey ${TEST_KEY}`);
    expect(create.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(create.body) as { type: string; backend: string; shots: number; name: string; metadata: Record<string, string>; settings: unknown; input: { gateset: string; qubits: number; circuits: { gateset: string; circuit: { gate: string; phase?: number; phases?: number[] }[] }[] } };
    expect(body.type).toBe("ionq.multi-circuit.v1");
    expect(body.backend).toBe("qpu.aria-1");
    expect(body.shots).toBe(10);
    expect(body.name).toMatch(/^nq-/);
    expect(body.metadata).toEqual({ nq_tag: body.name });
    expect(body.settings).toEqual({ error_mitigation: { debiasing: false } });
    expect(body.input.circuits).toHaveLength(2);
    const gates = body.input.circuits[0].circuit;
    expect(new Set(gates.map((g) => g.gate))).toEqual(new Set(["gpi2", "ms"]));
    for (const g of gates) for (const t of [g.phase, ...(g.phases ?? [])].filter((x) => x !== undefined)) expect(t! >= 0 && t! < 1).toBe(true);
  });

  it("runs uncompiled circuits in the qis gateset (rotations in radians, cz as h-cnot-h)", async () => {
    const p = provider();
    const bell: Circuit = { numQubits: 2, numClbits: 2, ops: [{ op: "h", qubit: 0 }, { op: "cx", control: 0, target: 1 }, { op: "measure", qubit: 0, clbit: 0 }, { op: "measure", qubit: 1, clbit: 1 }] };
    const rotated: Circuit = { numQubits: 2, numClbits: 2, ops: [{ op: "x", qubit: 0 }, { op: "h", qubit: 1 }, { op: "cz", control: 0, target: 1 }, { op: "h", qubit: 1 }, { op: "ry", qubit: 0, angle: 1.1 }, { op: "measure", qubit: 0, clbit: 0 }, { op: "measure", qubit: 1, clbit: 1 }] };
    const pubs = [bell, rotated].map((c) => ({ program: toQasm2(c), clbits: c.numClbits, bindings: null }));
    const [[b], [r]] = await p.run({ pubs, shots: 2000 });
    const body = JSON.parse(creates()[0].body) as { input: { circuits: { gateset: string; circuit: { gate: string }[] }[] } };
    expect(body.input.circuits.map((c) => c.gateset)).toEqual(["qis", "qis"]);
    expect(body.input.circuits[0].circuit.map((g) => g.gate)).toEqual(["h", "cnot"]);
    for (const s of b) expect(s[0]).toBe(s[1]);
    expectBinomial(countOnes(b, 0), 2000, 0.5, "bell");
    // x then ry(1.1): P(1) = cos^2(1.1 / 2); h-cz-h on qubit 1 is a cnot from qubit 0 (then 1): it flips qubit 1.
    expectBinomial(countOnes(r, 0), 2000, Math.cos(1.1 / 2) ** 2, "x then ry");
    expect(countOnes(r, 1)).toBe(2000);
  });

  it("an aborted run cancels the jobs it submitted", async () => {
    await server.close();
    await startServer({ pollsPerState: 1000 });
    const p = provider();
    const controller = new AbortController();
    const run = p.run({ pubs: await certainPubs(p, 2), shots: 5 }, { signal: controller.signal, onStatus: (s) => s.status === "Queued" && controller.abort(new Error("stopped by the user")) });
    await expect(run).rejects.toThrow(/stopped by the user/);
    const [job] = server.jobs.values();
    expect(job.canceled).toBe(true);
    expect(server.requests.filter((r) => r.route === "cancel")).toHaveLength(1);
  });

  it("a failed job is reported with IonQ's failure code and message", async () => {
    const p = provider();
    const pubs = await certainPubs(p, 1);
    server.failNextJob("QuantumComputerError", "the system had a hiccup");
    await expect(p.run({ pubs, shots: 5 })).rejects.toThrow(/IonQ job [\w-]+ failed: QuantumComputerError the system had a hiccup/);
  });

  it("retries 429 and 503 on reads and a 429 on submission (nothing was accepted), honouring Retry-After", async () => {
    const p = provider();
    const pubs = await certainPubs(p, 2);
    server.failNext({ route: "create", status: 429, retryAfter: "0" });
    server.failNext({ route: "status", status: 503 });
    await expectCertain({ pubs, shots: 5 }, p);
    expect(server.jobs.size).toBe(1);
    expect(creates().map((r) => r.status)).toEqual([429, 201]);
  });
});

describe("a job is never created twice", () => {
  for (const how of ["cut", "502"] as const) {
    it(`the answer to an accepted submission is lost (${how === "cut" ? "connection cut" : "502 after accepting"}): the job is found by its name, not submitted again`, async () => {
      await server.close();
      // Listed oldest first in pages of 2, so the lookup must page through the list to find it.
      await startServer({ pageSize: 2, oldestFirst: how === "cut" });
      const p = provider();
      // Earlier jobs on the backend.
      for (let i = 0; i < 5; i++) await p.run({ pubs: await certainPubs(p, 1), shots: 2 });
      const before = server.jobs.size;
      server.loseNextSubmissionAnswer(how);
      await expectCertain({ pubs: await certainPubs(p, 3), shots: 20 }, p);
      expect(server.jobs.size).toBe(before + 1);
      expect(creates()).toHaveLength(before + 1);
      expect(lines.join("\n")).toMatch(/looking the job up by its name nq-/);
      expect(lines.join("\n")).toMatch(/found IonQ job [\w-]+ by its name nq-/);
    });
  }

  it("a 502 for a submission that was not accepted: looked up, not found, submitted once more", async () => {
    const p = provider();
    server.failNext({ route: "create", status: 502 });
    await expectCertain({ pubs: await certainPubs(p, 2), shots: 10 }, p);
    expect(server.jobs.size).toBe(1);
    expect(creates()).toHaveLength(2);
    expect(lines.join("\n")).toMatch(/no IonQ job carries the name nq-\S+ after 1 searches over 0 s: it was not created; submitting it again/);
  });

  it("a submission whose answer is too slow is not resent blindly: the job is searched for until it has had time to arrive", async () => {
    // The server takes 400 ms to create the job; the client gives up waiting after 150 ms and
    // searches at 150 ms (not there yet) and again 500 ms later (there).
    const p = provider({ timeoutMs: 150, lookupDelaysMs: [0, 500] });
    const pubs = await certainPubs(p, 2);
    server.delay("create", 400);
    await expectCertain({ pubs, shots: 5 }, p);
    await new Promise((r) => setTimeout(r, 500));
    expect(server.jobs.size).toBe(1);
    expect(creates()).toHaveLength(1);
    expect(lines.join("\n")).toMatch(/did not answer within 0\.15 s.*looking the job up by its name/);
    expect(server.requests.filter((r) => r.route === "list").length).toBe(2);
  });
});

describe("the job ledger: ids and raw results on disk, resumed without paying twice", () => {
  it("records every job and raw result; a rerun on the ledger submits nothing", async () => {
    const dir = ledgerDir();
    const p = provider({ ledger: JobLedger.open(dir, { resume: false }), maxPubsPerJob: 2 });
    const job = { pubs: await certainPubs(p, 5), shots: 10 };
    await expectCertain(job, p);
    const jobs = server.jobs.size;
    expect(jobs).toBe(3);
    const files = readdirSync(dir);
    expect(files.filter((f) => f.endsWith(".job.json"))).toHaveLength(jobs);
    expect(files.filter((f) => f.endsWith(".result.json"))).toHaveLength(jobs);
    for (const e of JobLedger.open(dir, { resume: true }).entries()) {
      expect(server.jobs.has(e.jobId!)).toBe(true);
      expect(e.resultSaved).toBe(true);
      expect(e.quantumSeconds).toBeGreaterThan(0);
    }
    await expectCertain(job, provider({ ledger: JobLedger.open(dir, { resume: true }), maxPubsPerJob: 2 }));
    expect(server.jobs.size).toBe(jobs);
    expect(creates()).toHaveLength(jobs);
  });

  it("a run that stopped before fetching its results resumes from the job ids: fetched, nothing resubmitted", async () => {
    const dir = ledgerDir();
    const p = provider({ ledger: JobLedger.open(dir, { resume: false }), maxPubsPerJob: 2 });
    const job = { pubs: await certainPubs(p, 4), shots: 10 };
    server.failNext({ route: "probabilities", status: 400 });
    await expect(p.run(job)).rejects.toThrow(/HTTP 400/);
    const jobs = server.jobs.size;
    await expectCertain(job, provider({ ledger: JobLedger.open(dir, { resume: true }), maxPubsPerJob: 2 }));
    expect(server.jobs.size).toBe(jobs);
  });

  it("a run killed between sending a job and recording its id finds the job by the recorded name", async () => {
    const dir = ledgerDir();
    const p = provider({ ledger: JobLedger.open(dir, { resume: false }) });
    const job = { pubs: await certainPubs(p, 2), shots: 10 };
    await expectCertain(job, p);
    const [file] = readdirSync(dir).filter((f) => f.endsWith(".job.json"));
    const entry = JSON.parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
    writeFileSync(join(dir, file), JSON.stringify({ ...entry, jobId: null, resultSaved: false }));
    await expectCertain(job, provider({ ledger: JobLedger.open(dir, { resume: true }) }));
    expect(server.jobs.size).toBe(1);
    expect(lines.join("\n")).toMatch(/found IonQ job .* by its name/);
  });
});

describe("request size and cost", () => {
  it("a small request limit forces splitting: IonQ's 413 halves the job until it fits", async () => {
    await server.close();
    await startServer({ maxBodyBytes: 700 });
    const p = provider();
    await expectCertain({ pubs: await certainPubs(p, 8), shots: 10 }, p);
    expect(creates().filter((r) => r.status === 413).length).toBeGreaterThan(0);
    expect(server.jobs.size).toBeGreaterThan(1);
    for (const r of creates().filter((c) => c.status === 201)) expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(700);
    expect(lines.join("\n")).toMatch(/too large for IonQ \(HTTP 413\); splitting it into two jobs/);
  });

  it("packs under the byte budget before sending", async () => {
    const p = provider({ maxBytesPerJob: 400 });
    await expectCertain({ pubs: await certainPubs(p, 6), shots: 5 }, p);
    expect(server.jobs.size).toBeGreaterThan(2);
    expect(creates().every((r) => r.status === 201)).toBe(true);
  });

  it("estimates cost in IonQ's units: jobs, circuits, gate-shots and quantum compute time", async () => {
    const p = provider();
    const pub = await pubOf(p, { numQubits: 2, numClbits: 1, ops: [{ op: "ry", qubit: 0, angle: 0.5 }, { op: "cz", control: 0, target: 1 }, { op: "measure", qubit: 1, clbit: 0 }] });
    const cost = await p.estimateCost({ pubs: [pub, pub, pub], shots: 100 });
    const gates = (pub.program.match(/^gpi2?\(/gm) ?? []).length;
    expect(cost).toMatchObject({ jobs: 1, circuits: 3, shots: 300, oneQubitGateShots: 3 * 100 * gates, twoQubitGateShots: 300 });
    expect(cost.quantumComputeSeconds).toBeCloseTo(3 * 100 * (gates * 0.000135 + 0.0006 + 0.0003 + 0.00002), 9);
    await p.run({ pubs: [pub, pub, pub], shots: 100 });
    expect(lines.join("\n")).toContain(`IonQ cost of this call on qpu.aria-1: 1 job, 3 circuits x 100 shots: ${300 * gates} 1q and 300 2q gate-shots, about ${Number(cost.quantumComputeSeconds!.toPrecision(3))} s of quantum compute time`);
  });
});

describe("the key", () => {
  it("comes only from IONQ_API_KEY, and a plain-http URL is refused unless it is local", () => {
    expect(() => provider({}, { IONQ_API_KEY: "" })).toThrow(/IONQ_API_KEY is not set/);
    expect(() => provider({}, { IONQ_API_URL: "http://api.example.com/v0.4" })).toThrow(/IONQ_API_URL.*https:\/\//);
  });

  it("is never shown: a refusal that quotes it, logs and the ledger hold no key", async () => {
    const dir = ledgerDir();
    const p = provider({ ledger: JobLedger.open(dir, { resume: false }) });
    await expectCertain({ pubs: await certainPubs(p, 2), shots: 5 }, p);
    server.failNext({ route: "backend", status: 401, body: { statusCode: 401, error: "Unauthorized Error", message: `Invalid key ${TEST_KEY} provided` } });
    const error = await provider({}, {}).target().then(() => null, (e: Error) => e);
    expect(error).toBeInstanceOf(IonqError);
    expect(error!.message).toMatch(/IonQ refused the API key \(HTTP 401: Invalid key \[the key\] provided\); check IONQ_API_KEY/);
    expect(error!.message).not.toContain(TEST_KEY);
    expect(lines.join("\n")).not.toContain(TEST_KEY);
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f), "utf8")).not.toContain(TEST_KEY);
  });

  it("a server that stays silent is given up after the timeout, with the address to check", async () => {
    server.delay("backend", 500);
    const error = await provider({ timeoutMs: 100 }).target().then(() => null, (e: Error) => e);
    expect(error?.message).toMatch(/IonQ \(GET http:\/\/127\.0\.0\.1:\d+\/v0\.4\/backends\/qpu\.aria-1\) did not answer within 0\.1 s.*IONQ_API_URL/);
  });
});
