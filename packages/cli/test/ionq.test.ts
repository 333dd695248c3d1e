import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bin, lastJson, nqInEnv, sameError } from "./helpers.js";
import { IonqTestServer } from "../../hardware/test/providers/ionq-test-server.js";

// `nq eval --backend hardware --provider ionq --device ...` against a local server that follows
// IonQ's v0.4 API: the key only from IONQ_API_KEY, the server from IONQ_API_URL.

const KEY = "nq-cli-ionq-key-5Gm2xQ";
const nq = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const nqAsync = nqInEnv;
const json = lastJson;

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? filesUnder(join(dir, f)) : [join(dir, f)]));
}

const dir = mkdtempSync(join(tmpdir(), "nq-ionq-"));
const trained = (name: string, g: string) => {
  const r = nq(["train", "--dataset", "synthetic", "--train-size", "400", "--test-size", "100", "--width", "8", "--depth", "3", "--a", "0.6", "--g", g, "--activation", "htanh", "--epochs", "4", "--lr", "0.05", "--backend", "sim-cpu", "--out", join(dir, name), "--json"]);
  expect(r.code).toBe(0);
  return join(dir, name, "weights.json");
};

describe("nq eval on the ionq provider (local IonQ v0.4 test server)", () => {
  let server: IonqTestServer;
  const weights = trained("m2", "0.9");
  beforeAll(async () => {
    // Jobs complete at their first poll: the CLI polls from 1 s up, as for a real queue.
    server = await IonqTestServer.start({ apiKey: KEY, seed: 21, pollsPerState: 0 });
  });
  afterAll(async () => server.close());

  for (const device of ["qpu.forte-1", "simulator"]) {
    it(`--device ${device}: the simulator's error within statistical error; the key is in no output and no file`, async () => {
      const sim = json(nq(["eval", "--weights", weights, "--backend", "sim-cpu", "--test-size", "100", "--shots", "3", "--json"]).stdout);
      const out = join(mkdtempSync(join(tmpdir(), "nq-ionq-run-")), "run");
      const before = server.jobs.size;
      const r = await nqAsync(["eval", "--weights", weights, "--backend", "hardware", "--provider", "ionq", "--device", device, "--test-size", "100", "--shots", "3", "--json", "--out", out], { ...process.env, ...server.env() });
      expect(r.stderr).not.toMatch(/^nq: /m);
      expect(r.code).toBe(0);
      expect(sameError(sim.testError1, json(r.stdout).testError1, 100)).toBe(true);
      expect(server.jobs.size - before).toBe(2);
      // Each call's cost in IonQ's units is shown before it is submitted.
      expect(r.stderr).toMatch(device === "simulator"
        ? /IonQ cost of this call on simulator: 1 job, \d+ circuits x 1 shots: \d+ 1q and \d+ 2q gate-shots, no timings to estimate compute time/
        : /IonQ cost of this call on qpu\.forte-1: 1 job, \d+ circuits x 1 shots: \d+ 1q and \d+ 2q gate-shots, about [\d.e-]+ s of quantum compute time/);
      expect(r.stdout + r.stderr).not.toContain(KEY);
      for (const f of filesUnder(out)) expect(readFileSync(f, "utf8")).not.toContain(KEY);
      expect(filesUnder(join(out, "jobs")).filter((f) => f.endsWith(".result.json"))).toHaveLength(2);
      const create = server.requests.filter((q) => q.route === "create").at(-1)!;
      expect(create.headers.authorization).toBe(`apiKey ${KEY}`);
    });
  }

  it("a run stopped before its results resumes with --resume and pays for no job twice", async () => {
    const env = { ...process.env, ...server.env() };
    const out = join(mkdtempSync(join(tmpdir(), "nq-ionq-run-")), "run");
    const args = ["eval", "--weights", weights, "--backend", "hardware", "--provider", "ionq", "--device", "qpu.aria-1", "--test-size", "60", "--shots", "3", "--json", "--out", out];
    const before = server.jobs.size;
    server.failNext({ route: "probabilities", status: 400 });
    const stopped = await nqAsync(args, env);
    expect(stopped.code).toBe(2);
    expect(server.jobs.size - before).toBe(1);
    const resumed = await nqAsync([...args, "--resume"], env);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/IonQ job [\w-]+: submitted by an earlier run/);
    expect(server.jobs.size - before).toBe(2);
  });

  it("refuses a run whose ms gate-shots pass the cost model's threshold without --yes, before submitting anything", async () => {
    const before = server.jobs.size;
    const out = join(mkdtempSync(join(tmpdir(), "nq-ionq-run-")), "run");
    // Model 2, width 8: one ms per unit of the weak-measured hidden layer (the last hidden layer is
    // read out projectively, no ancilla): 100 images x 200 shots x 8 units = 160,000 gate-shots, plus
    // the idle units of the last block of each job.
    const r = await nqAsync(["eval", "--weights", weights, "--backend", "hardware", "--provider", "ionq", "--device", "qpu.forte-1", "--test-size", "100", "--shots", "200", "--out", out], { ...process.env, ...server.env() });
    expect(r.code).toBe(2);
    const whole = /^the whole run: .* about (\d+) two-qubit gate-shots on ionq$/m.exec(r.stderr);
    expect(Number(whole?.[1])).toBeGreaterThanOrEqual(160_000);
    expect(Number(whole?.[1])).toBeLessThan(160_000 + 8 * 12);
    expect(r.stderr).toMatch(/^nq: this run's estimated cost is \d+ two-qubit gate-shots on ionq, above 100000; nothing was submitted; check the cost above and rerun with --yes$/m);
    expect(server.jobs.size).toBe(before);
  });

  it("names what is missing in one line: the key, the device", async () => {
    const env = { ...process.env, ...server.env() };
    delete env.IONQ_API_KEY;
    const out = () => join(mkdtempSync(join(tmpdir(), "nq-ionq-run-")), "run");
    const noKey = await nqAsync(["eval", "--weights", weights, "--backend", "hardware", "--provider", "ionq", "--device", "qpu.forte-1", "--out", out()], env);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/^nq: IONQ_API_KEY is not set; export an IonQ API key in the environment/m);
    const noDevice = await nqAsync(["eval", "--weights", weights, "--backend", "hardware", "--provider", "ionq", "--out", out()], { ...process.env, ...server.env() });
    expect(noDevice.code).toBe(2);
    expect(noDevice.stderr).toMatch(/^nq: the ionq provider needs --device NAME \(simulator, qpu\.aria-1 or qpu\.forte-1\)$/m);
  });
});
