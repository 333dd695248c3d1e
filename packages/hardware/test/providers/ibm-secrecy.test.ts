import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { IbmRuntimeProvider } from "../../src/providers/ibm-runtime-provider.js";
import type { Pub } from "../../src/provider.js";
import { IbmTestServer } from "./ibm-test-server.js";

const KEY = "nq-secret-apikey-Lm4Qw9Tt2Xc";
const WRONG_KEY = "nq-wrong-apikey-Pp7Rr1Ss5Uu";
const CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/abc:def::";
const PACKAGE_DIR = new URL("../../", import.meta.url).pathname;

/** Every file under dir (skipping dependencies, build output and git), modified since `since`. */
function filesWrittenSince(dir: string, since: number, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === ".git" || name === "dist") continue;
    const path = join(dir, name);
    const s = statSync(path);
    if (s.isDirectory()) filesWrittenSince(path, since, out);
    else if (s.mtimeMs >= since) out.push(path);
  }
  return out;
}

let server: IbmTestServer;
beforeEach(async () => {
  server = await IbmTestServer.start({ apiKey: KEY, serviceCrn: CRN });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
});

describe("the API key is never written anywhere", () => {
  it("not in logs, console output, errors, the provider object, or files", async () => {
    const started = Date.now() - 1000;
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, "write").mockImplementation(capture);
    vi.spyOn(process.stderr, "write").mockImplementation(capture);
    const make = (env: Record<string, string> = {}) =>
      new IbmRuntimeProvider({
        backend: "test_heron6",
        env: server.env(env),
        submissionIntervalMs: 0,
        pollInitialMs: 5,
        retry: { baseDelayMs: 5, maxRetries: 2 },
        log: (line) => written.push(line),
      });
    const good: Pub = { program: 'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[1] c;\nx $0;\nc[0] = measure $0;\n', clbits: 1, bindings: null };
    const bad: Pub = { ...good, program: good.program.replace("x $0", "h $0") };
    const p = make();
    server.failNext({ route: "create", status: 429, retryAfter: "0" });
    server.failNext({ route: "iam", status: 503 });
    await p.run({ pubs: [good], shots: 3 });
    await p.target();
    server.failNext({ route: "create", status: 401, times: 2 });
    const errors: unknown[] = [];
    for (const attempt of [
      () => p.run({ pubs: [good], shots: 3 }),
      () => p.run({ pubs: [bad], shots: 3 }),
      () => make({ IBM_CLOUD_API_KEY: WRONG_KEY }).run({ pubs: [good], shots: 3 }),
    ]) {
      errors.push(await attempt().catch((e: unknown) => e));
    }
    expect(errors.every((e) => e instanceof Error)).toBe(true);
    const outside = [
      ...written,
      ...errors.map((e) => `${(e as Error).message}\n${(e as Error).stack}\n${inspect(e, { depth: 8 })}`),
      ...filesWrittenSince(PACKAGE_DIR, started).map((f) => readFileSync(f, "utf8")),
    ].join("\n");
    expect(outside).not.toContain(CRN); // the instance is not logged, thrown or written either
    const everything = [
      ...written,
      ...errors.map((e) => `${(e as Error).message}\n${(e as Error).stack}\n${inspect(e, { depth: 8 })}`),
      inspect(p, { depth: 8, showHidden: true }),
      JSON.stringify(p),
      ...filesWrittenSince(PACKAGE_DIR, started).map((f) => readFileSync(f, "utf8")),
    ].join("\n");
    expect(written.length).toBeGreaterThan(3); // something was logged and printed
    expect(everything).toContain("IBM_CLOUD_API_KEY"); // errors name the variable...
    expect(everything).not.toContain(KEY); // ...never its value
    expect(everything).not.toContain(WRONG_KEY);
    // The key did reach IAM (so the check above is not vacuous), and only IAM.
    const withKey = server.requests.filter((r) => r.body.includes(KEY) || JSON.stringify(r.headers).includes(KEY));
    expect(withKey.length).toBeGreaterThan(0);
    expect(withKey.every((r) => r.route === "iam")).toBe(true);
  });
});
