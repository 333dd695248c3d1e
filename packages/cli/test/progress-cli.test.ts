import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CpuBackend } from "@natural-quantization/sim-cpu";
import { IbmTestServer } from "../../hardware/test/providers/ibm-test-server.js";
import { runBench } from "../src/bench.js";
import { ProgressRenderer } from "../src/progress.js";

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
/** nq with stderr a pipe (not a terminal), as in a log or Slurm output; async, so vitest's worker stays responsive. */
const nq = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
    let stdout = "", stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });

// A few seconds of sim-cpu work: 2 epochs of 40 batches and a 10-shot evaluation of 1,000 images.
const longish = ["--dataset", "synthetic", "--train-size", "2560", "--test-size", "1000", "--width", "128", "--depth", "3", "--epochs", "2", "--shots", "10", "--backend", "sim-cpu"];
const dir = mkdtempSync(join(tmpdir(), "nq-progress-"));

describe("progress of nq in a log (stderr not a terminal)", () => {
  it("a long-ish sim-cpu run prints periodic plain lines within epochs and the evaluation; --json stays alone on stdout", async () => {
    const r = await nq(["train", ...longish, "--json", "--out", join(dir, "run")], { NQ_PROGRESS_SECONDS: "0.2" });
    expect(r.code).toBe(0);
    // stdout: exactly one JSON object.
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(r.stdout).testSize).toBe(1000);
    // stderr: plain lines only (no carriage returns or terminal escapes).
    expect(r.stderr).not.toMatch(/[\r\x1b]/);
    const lines = r.stderr.trim().split("\n");
    const batches = lines.filter((l) => /^epoch [12]\/2: \d+% \(\d+\/40 batches\) after \d+s, [\d.]+ batches\/s, (\d+m)?\d+s left$/.test(l));
    const evaluation = lines.filter((l) => /^evaluating 1000 images x 10 shots: \d+% \(\d+\/10000 passes\) after \d+s, [\d.]+ passes\/s, .* left$/.test(l));
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(evaluation.length).toBeGreaterThanOrEqual(1);
    expect(lines.filter((l) => /^epoch \d\/2 loss /.test(l))).toHaveLength(2);
  });

  it("a short run under the default interval prints no periodic lines, only each epoch's line", async () => {
    const r = await nq(["train", "--dataset", "synthetic", "--train-size", "200", "--test-size", "100", "--width", "16", "--depth", "3", "--epochs", "2", "--shots", "3", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^epoch 1\/2 loss /), expect.stringMatching(/^epoch 2\/2 loss /)]);
  });

  it("eval and predict show their evaluation's passes", async () => {
    const w = join(dir, "run", "weights.json");
    const ev = await nq(["eval", "--weights", w, "--backend", "sim-cpu", "--shots", "10", "--json"], { NQ_PROGRESS_SECONDS: "0.2" });
    expect(ev.code).toBe(0);
    expect(ev.stderr).toMatch(/^evaluating \d+ images x 10 shots: \d+% /m);
    const p = await nq(["predict", "--weights", w, "--backend", "sim-cpu", "--shots", "10", "--out", join(dir, "p.csv")], { NQ_PROGRESS_SECONDS: "0.2" });
    expect(p.code).toBe(0);
    expect(p.stderr).toMatch(/^evaluating \d+ images x 10 shots: \d+% /m);
  });

  describe("device jobs", () => {
    let server: IbmTestServer;
    beforeAll(async () => {
      server = await IbmTestServer.start({ apiKey: "nq-progress-test-key", serviceCrn: "crn:v1:bluemix:public:quantum-computing:us-east:a/1:2::", seed: 5, pollsPerState: 2 });
    });
    afterAll(async () => server.close());

    it("an ibm-runtime evaluation says which job of which layer it waits for, by id, queued then running", async () => {
      const t = await nq(["train", "--dataset", "synthetic", "--train-size", "400", "--test-size", "50", "--width", "8", "--depth", "2", "--epochs", "2", "--backend", "sim-cpu", "--out", join(dir, "small")]);
      expect(t.code).toBe(0);
      const r = await nq(
        ["eval", "--weights", join(dir, "small", "weights.json"), "--backend", "hardware", "--provider", "ibm-runtime", "--device", "test_heron6", "--test-size", "50", "--shots", "2", "--json", "--out", join(dir, "device-run")],
        { ...server.env(), NQ_PROGRESS_SECONDS: "0.5" },
      );
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).testSize).toBe(50);
      const created = server.requests.filter((q) => q.route === "create" && q.status < 300);
      expect(created).toHaveLength(1);
      const id = /submitted IBM Quantum job (\S+)/.exec(r.stderr)?.[1];
      expect(id).toBeDefined();
      // The heartbeat reports the wait while the provider polls: queued, then running, with the job's id.
      expect(r.stderr).toMatch(new RegExp(`^evaluating 50 images x 2 shots: 0% .*; hidden layer 1 job 1/1 ${id} queued for \\d+s$`, "m"));
      expect(r.stderr).toMatch(new RegExp(`hidden layer 1 job 1/1 ${id} running for \\d+s$`, "m"));
    });
  });
});

describe("nq bench's progress", () => {
  it("names each run (warm-up or timed) and its phase", async () => {
    const writes: string[] = [];
    const progress = new ProgressRenderer({ stream: { write: (t: string) => writes.push(t), isTTY: true, columns: 200 }, clock: { now: () => 0 } });
    await runBench({ machine: new CpuBackend(), trainSize: 64, testSize: 20, shots: 2, repetitions: 2, warmup: 1, progress });
    const drawn = writes.filter((w) => w.length > 4).map((w) => w.replace("\r\x1b[2K", ""));
    for (const run of ["warm-up 1/1", "run 1/2", "run 2/2"]) {
      expect(drawn.some((d) => d.startsWith(`sim-cpu bench, training epoch ${run}: epoch 1/1 `))).toBe(true);
      expect(drawn.some((d) => d.startsWith(`sim-cpu bench, evaluation ${run}: evaluating 20 images x 2 shots `))).toBe(true);
    }
  });
});
