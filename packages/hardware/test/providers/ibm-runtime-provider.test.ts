import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IbmRuntimeProvider, type IbmRuntimeProviderOptions } from "../../src/providers/ibm-runtime-provider.js";
import { IbmRuntimeError } from "../../src/providers/ibm-errors.js";
import type { Pub } from "../../src/provider.js";
import { IbmTestServer } from "./ibm-test-server.js";
import { countOnes, expectBinomial } from "./stats.js";

export const TEST_KEY = "nq-test-apikey-Zq81xVb3Ke0";
const CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/0f0f0f0f0f:1a2b3c4d-0000-4000-8000-00000000abcd::";

const isa = (body: string, clbits: number, params: readonly string[] = []) =>
  `OPENQASM 3.0;\ninclude "stdgates.inc";\n${params.map((p) => `input float[64] ${p};\n`).join("")}bit[${clbits}] c;\n${body}`;

let server: IbmTestServer;
let logLines: string[];

beforeEach(async () => {
  server = await IbmTestServer.start({ apiKey: TEST_KEY, serviceCrn: CRN, seed: 7 });
  logLines = [];
});
afterEach(async () => {
  await server.close();
});

function provider(overrides: Partial<IbmRuntimeProviderOptions> = {}, env: Record<string, string> = {}): IbmRuntimeProvider {
  return new IbmRuntimeProvider({
    backend: "test_heron6",
    env: server.env(env),
    submissionIntervalMs: 0,
    pollInitialMs: 5,
    pollMaxMs: 20,
    retry: { baseDelayMs: 10, maxDelayMs: 3000, maxRetries: 3 },
    log: (line) => logLines.push(line),
    ...overrides,
  });
}

/** The error a promise rejects with (the test fails if it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a failure, but the call succeeded");
}

/** ry(theta)-equivalent in Heron's basis: sx; rz(theta + pi); sx gives P(1) = sin^2(theta/2). */
const ryLike = (q: number, angle: string) => `sx $${q};\nrz(${angle} + pi) $${q};\nsx $${q};\n`;

describe("ibm-runtime against the local IBM test server: jobs end to end", () => {
  it("runs a parameterised ISA program: one row of samples per binding, frequencies match sin^2(theta/2)", async () => {
    const thetas = [0.3, 1.4, 2.5, Math.PI];
    const pub: Pub = { program: isa(`${ryLike(1, "p0")}c[0] = measure $1;\n`, 1, ["p0"]), clbits: 1, bindings: thetas.map((t) => [t]) };
    const statuses: string[] = [];
    const [rows] = await provider().run({ pubs: [pub], shots: 2000 }, { onStatus: (s) => statuses.push(s.status) });
    expect(rows.length).toBe(thetas.length);
    thetas.forEach((t, r) => expectBinomial(countOnes(rows[r], 0), 2000, Math.sin(t / 2) ** 2, `theta ${t}`));
    expect(statuses).toEqual(["Queued", "Running", "Completed"]);
  });

  it("keeps the bit order: element i of a shot is c[i]", async () => {
    const program = isa(`x $2;\nx $3;\nc[0] = measure $2;\nc[2] = measure $0;\nc[1] = measure $3;\nc[3] = measure $1;\n`, 4);
    const [[shots]] = await provider().run({ pubs: [{ program, clbits: 4, bindings: null }], shots: 50 });
    for (const s of shots) expect(Array.from(s)).toEqual([1, 1, 0, 0]);
  });

  it("executes cz (H-CZ-H flips the target of a |1> control) on Heron and ecr with its direction on Eagle", async () => {
    const h = (q: number) => `rz(pi/2) $${q};\nsx $${q};\nrz(pi/2) $${q};\n`;
    const cnot = { program: isa(`x $0;\n${h(1)}cz $0, $1;\n${h(1)}c[0] = measure $0;\nc[1] = measure $1;\n`, 2), clbits: 2, bindings: null };
    const [[shots]] = await provider().run({ pubs: [cnot], shots: 50 });
    for (const s of shots) expect(Array.from(s)).toEqual([1, 1]);
    // ECR on |00> leaves its control in |1> and its target evenly mixed.
    const ecr = { program: isa(`ecr $1, $0;\nc[0] = measure $1;\nc[1] = measure $0;\n`, 2), clbits: 2, bindings: null };
    const [[e]] = await provider({ backend: "test_eagle5" }).run({ pubs: [ecr], shots: 2000 });
    expect(countOnes(e, 0)).toBe(2000);
    expectBinomial(countOnes(e, 1), 2000, 0.5, "ecr target");
  });

  it("sends the documented request shapes and headers", async () => {
    const pub: Pub = { program: isa(`${ryLike(0, "p0")}c[0] = measure $0;\n`, 1, ["p0"]), clbits: 1, bindings: [[0.5], [1]] };
    await provider({ apiVersion: "2026-04-15" }).run({ pubs: [pub, { program: isa("c[0] = measure $4;\n", 1), clbits: 1, bindings: null }], shots: 10 });
    const api = server.requests.filter((r) => r.path.startsWith("/api/v1"));
    expect(api.length).toBeGreaterThan(2);
    for (const r of api) {
      expect(r.headers.authorization).toMatch(/^Bearer \S+$/);
      expect(r.headers["service-crn"]).toBe(CRN);
      expect(r.headers["ibm-api-version"]).toBe("2026-04-15");
    }
    const create = server.requests.find((r) => r.route === "create")!;
    expect(create.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(create.body);
    expect(body.program_id).toBe("sampler");
    expect(body.backend).toBe("test_heron6");
    expect(body.params.version).toBe(2);
    expect(body.params.pubs).toEqual([[pub.program, [[0.5], [1]], 10], [expect.stringContaining("measure $4"), null, 10]]);
    const iam = server.requests.find((r) => r.route === "iam")!;
    expect(iam.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(new URLSearchParams(iam.body).get("grant_type")).toBe("urn:ibm:params:oauth:grant-type:apikey");
  });

  it("packs PUBs into as few jobs as the limit allows and returns results in PUB order", async () => {
    const pubs: Pub[] = [0, 1, 2, 3, 4].map((q) => ({ program: isa(`x $${q};\nc[0] = measure $${q};\nc[1] = measure $5;\n`, 2), clbits: 2, bindings: null }));
    pubs[3] = { ...pubs[3], program: isa(`c[0] = measure $3;\nx $5;\nc[1] = measure $5;\n`, 2) };
    const p = provider({ maxPubsPerJob: 2 });
    expect(p.estimateCost({ pubs, shots: 20 })).toEqual({ jobs: 3, pubs: 5, circuits: 5, shots: 100 });
    const result = await p.run({ pubs, shots: 20 });
    expect(server.requests.filter((r) => r.route === "create").length).toBe(3);
    expect(result.map((r) => Array.from(r[0][0]))).toEqual([[1, 0], [1, 0], [1, 0], [0, 1], [1, 0]]);
  });

  it("reads the backend's configuration and properties into a Target", async () => {
    const t = await provider().target();
    expect(t.numQubits).toBe(6);
    expect(t.basisGates).toEqual(["cz", "rz", "sx", "x"]);
    expect(t.qubits[0].t1).toBeCloseTo(224.1e-6, 15);
  });
});

describe("ibm-runtime against the local IBM test server: failures", () => {
  const pub: Pub = { program: isa("x $0;\nc[0] = measure $0;\n", 1), clbits: 1, bindings: null };

  it("retries a 429 after its Retry-After, and a 503, then succeeds", async () => {
    server.failNext({ route: "create", status: 429, retryAfter: "1" });
    server.failNext({ route: "status", status: 503 });
    const start = Date.now();
    const [[shots]] = await provider().run({ pubs: [pub], shots: 5 });
    expect(Date.now() - start).toBeGreaterThanOrEqual(950); // waited out Retry-After: 1 (backoff alone is 10 ms)
    expect(shots.every((s) => s[0] === 1)).toBe(true);
    const creates = server.requests.filter((r) => r.route === "create").map((r) => r.status);
    expect(creates).toEqual([429, 200]);
    expect(server.requests.filter((r) => r.route === "status").map((r) => r.status)[0]).toBe(503);
    expect(logLines.some((l) => l.includes("HTTP 429"))).toBe(true);
  });

  it("gives up after the retries with the status in one line", async () => {
    server.failNext({ route: "results", status: 503, times: 10 });
    const err = await failure(provider().run({ pubs: [pub], shots: 5 }));
    expect(err).toBeInstanceOf(IbmRuntimeError);
    expect((err as Error).message).toMatch(/GET \/jobs\/.*\/results failed \(HTTP 503/);
    expect(server.requests.filter((r) => r.route === "results").length).toBe(4); // 1 + maxRetries 3
  });

  it("401 and 403: a credentials error naming IBM_CLOUD_API_KEY and IBM_QUANTUM_CRN", async () => {
    server.failNext({ route: "create", status: 401, times: 2 });
    const e401 = await failure(provider().run({ pubs: [pub], shots: 5 }));
    expect(e401.message).toMatch(/refused the credentials \(HTTP 401.*IBM_CLOUD_API_KEY.*IBM_QUANTUM_CRN/);
    expect(e401.message).not.toContain("\n");
    server.failNext({ route: "create", status: 403 });
    const e403 = await failure(provider().run({ pubs: [pub], shots: 5 }));
    expect(e403.message).toMatch(/HTTP 403.*IBM_QUANTUM_CRN/);
    const wrongCrn = await failure(provider({}, { IBM_QUANTUM_CRN: `${CRN}x` }).target());
    expect(wrongCrn.message).toMatch(/HTTP 403.*IBM_QUANTUM_CRN/);
    const wrongKey = await failure(provider({}, { IBM_CLOUD_API_KEY: "not-the-key" }).target());
    expect(wrongKey.message).toMatch(/IAM did not accept the API key \(HTTP 400 BXNIM0415E.*IBM_CLOUD_API_KEY/);
  });

  it("a single 401 is retried once with a fresh token", async () => {
    server.failNext({ route: "create", status: 401 });
    await provider().run({ pubs: [pub], shots: 5 });
    expect(server.tokenExchanges).toBe(2);
  });

  it("409: a quota error", async () => {
    server.failNext({ route: "create", status: 409, body: { errors: [{ code: 1217, message: "Instance usage limit reached" }] } });
    const e = await failure(provider().run({ pubs: [pub], shots: 5 }));
    expect(e.message).toMatch(/quota or instance limits \(HTTP 409: Instance usage limit reached\)/);
  });

  it("a Failed job reports its reason and code", async () => {
    server.failNextJob("Internal error while running the circuits", 1999);
    const e = await failure(provider().run({ pubs: [pub], shots: 5 }));
    expect(e.message).toMatch(/job test-job-\S+ failed \(error 1999\): Internal error while running the circuits/);
  });

  it("error 1517: a gate outside basis_gates, or ecr against the coupling direction, says to compile for the target", async () => {
    const hadamard = { program: isa("h $0;\nc[0] = measure $0;\n", 1), clbits: 1, bindings: null };
    const e = await failure(provider().run({ pubs: [hadamard], shots: 5 }));
    expect(e).toBeInstanceOf(IbmRuntimeError);
    expect(e.message).toMatch(/non-ISA \(error 1517: .*instruction h is not in basis_gates.*compile them for the target backend/);
    const backwards = { program: isa("ecr $0, $1;\nc[0] = measure $0;\n", 1), clbits: 1, bindings: null };
    const e2 = await failure(provider({ backend: "test_eagle5" }).run({ pubs: [backwards], shots: 5 }));
    expect(e2.message).toMatch(/error 1517: .*not in the coupling map/);
  });

  it("error 1517 in an HTTP error body is reported the same way", async () => {
    server.failNext({ route: "create", status: 400, body: { errors: [{ code: 1517, message: "Circuits do not match the target definition" }] } });
    const e = await failure(provider().run({ pubs: [pub], shots: 5 }));
    expect(e.message).toMatch(/non-ISA \(error 1517: Circuits do not match the target definition\); compile them/);
  });

  it("an aborted run cancels its job", async () => {
    const slow = await IbmTestServer.start({ apiKey: TEST_KEY, serviceCrn: CRN, pollsPerState: 1000 });
    try {
      const controller = new AbortController();
      const p = new IbmRuntimeProvider({ backend: "test_heron6", env: slow.env(), submissionIntervalMs: 0, pollInitialMs: 5, pollMaxMs: 5 });
      const run = p.run({ pubs: [pub], shots: 5 }, { signal: controller.signal, onStatus: () => controller.abort(new Error("stopped by test")) });
      await expect(run).rejects.toThrow("stopped by test");
      expect(slow.requests.some((r) => r.route === "cancel")).toBe(true);
    } finally {
      await slow.close();
    }
  });
});

describe("ibm-runtime: tokens and secrecy", () => {
  it("refreshes the IAM token before it expires", async () => {
    const shortLived = await IbmTestServer.start({ apiKey: TEST_KEY, serviceCrn: CRN, tokenTtlSeconds: 3 });
    try {
      const p = new IbmRuntimeProvider({ backend: "test_heron6", env: shortLived.env(), submissionIntervalMs: 0, pollInitialMs: 5 });
      const pub: Pub = { program: isa("c[0] = measure $0;\n", 1), clbits: 1, bindings: null };
      await p.run({ pubs: [pub], shots: 1 });
      expect(shortLived.tokenExchanges).toBe(1);
      // 0.3 s before the token expires: still valid, but inside the last 20% of its 3 s lifetime.
      await new Promise((r) => setTimeout(r, shortLived.lastTokenExpiresAt - 300 - Date.now()));
      await p.run({ pubs: [pub], shots: 1 });
      expect(shortLived.tokenExchanges).toBe(2);
      expect(shortLived.expiredTokenUses).toBe(0);
    } finally {
      await shortLived.close();
    }
  });

  it("reads credentials only from the environment and says which variable is missing", () => {
    expect(() => new IbmRuntimeProvider({ backend: "test_heron6", env: {} })).toThrow(/IBM_CLOUD_API_KEY is not set/);
    expect(() => new IbmRuntimeProvider({ backend: "test_heron6", env: { IBM_CLOUD_API_KEY: "k" } })).toThrow(/invalid IBM_QUANTUM_CRN/);
    const insecure = { IBM_CLOUD_API_KEY: "k", IBM_QUANTUM_CRN: CRN, IBM_QUANTUM_URL: "http://quantum.example.com/api/v1" };
    expect(() => new IbmRuntimeProvider({ backend: "test_heron6", env: insecure })).toThrow(/https:\/\//);
  });
});
