import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const nq = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const tiny = ["--dataset", "synthetic", "--train-size", "200", "--test-size", "100", "--width", "16", "--depth", "3", "--epochs", "2", "--lr", "0.05", "--shots", "5"];

describe("nq", () => {
  it.each([
    [["train", "--a", "-1"], /^nq: invalid a: -1 \(allowed: a >= 0/],
    [["train", "--g", "2"], /^nq: invalid g: 2 \(allowed: 0 <= g <= pi\/2/],
    [["train", "--width", "0"], /^nq: invalid width: "0" \(allowed: an integer from 1/],
    [["train", "--depth", "1"], /^nq: invalid depth: "1" \(allowed: an integer from 2/],
    [["train", "--lr", "NaN"], /^nq: invalid lr: "NaN" \(allowed: a finite number/],
    [["train", "--backend", "quantum-magic"], /^nq: invalid backend: "quantum-magic" \(allowed: auto, sim-native, sim-wasm, sim-cpu/],
    [["train", "--backend", "@nobody/nq-backend-none"], /^nq: invalid backend: "@nobody\/nq-backend-none" \(allowed: .*; no package @nobody\/nq-backend-none is installed in /],
    [["train", "--dataset", "cifar"], /^nq: unknown dataset/],
    [["train", "--activation", "relu"], /argument 'relu' is invalid/],
    [["eval", "--weights", "/nonexistent/w.json"], /^nq: cannot read checkpoint \/nonexistent\/w.json/],
    [["bench", "--threads", "1,0"], /^nq: invalid threads: "1,0" \(allowed: integers from 1 to 256, comma-separated\)/],
    [["bench", "--threads", "1,,2"], /^nq: invalid threads: "1,,2" \(allowed: integers from 1 to 256/],
  ])("rejects bad input %j with status 2 and one line, no stack trace", (args, message) => {
    const r = nq(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("train --json prints one result object, writes its files, and eval reproduces it from the weights", () => {
    const out = mkdtempSync(join(tmpdir(), "nq-cli-"));
    const r = nq("train", ...tiny, "--a", "0.5", "--g", "pi/4", "--seed", "3", "--json", "--out", out);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]);
    for (const k of ["backend", "a", "g", "activation", "width", "depth", "epochs", "seed", "shots", "trainSize", "testSize", "testError1", "testErrorK", "testErrorKStderr", "epochSeconds", "trainSeconds"]) {
      expect(rec).toHaveProperty(k);
    }
    expect(rec).toMatchObject({ backend: "sim-wasm", a: 0.5, g: Math.PI / 4, width: 16, depth: 3, epochs: 2, seed: 3, shots: 5, trainSize: 200, testSize: 100 });
    expect(rec.epochSeconds).toHaveLength(2);
    expect(rec.testErrorKStderr).toBeCloseTo(Math.sqrt((rec.testErrorK * (1 - rec.testErrorK)) / 100), 12);
    expect(r.stderr).toMatch(/epoch 2\/2 loss/);
    for (const f of ["result.json", "metrics.json", "weights.json", "checkpoint.json"]) expect(existsSync(join(out, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"))).toHaveLength(2);

    const ev = nq("eval", "--weights", join(out, "weights.json"), "--shots", "5", "--seed", "3", "--test-size", "100", "--json");
    expect(ev.code).toBe(0);
    const e = JSON.parse(ev.stdout);
    expect([e.testError1, e.testErrorK]).toEqual([rec.testError1, rec.testErrorK]);

    // Another quantumness on the same weights: the classical network is deterministic.
    const cl = JSON.parse(nq("eval", "--weights", join(out, "weights.json"), "--a", "0", "--g", "pi/2", "--shots", "5", "--test-size", "100", "--json").stdout);
    expect(cl.a).toBe(0);
    expect(cl.testError1).toBe(cl.testErrorK);
  });

  it("train --resume continues a run to more epochs exactly as one longer run", () => {
    const out = mkdtempSync(join(tmpdir(), "nq-cli-"));
    const once = JSON.parse(nq("train", ...tiny, "--a", "0.3", "--epochs", "3", "--json").stdout);
    expect(nq("train", ...tiny, "--a", "0.3", "--epochs", "2", "--out", out).code).toBe(0);
    const resumed = JSON.parse(nq("train", ...tiny, "--a", "0.3", "--epochs", "3", "--out", out, "--resume", "--json").stdout);
    expect([resumed.testError1, resumed.testErrorK]).toEqual([once.testError1, once.testErrorK]);
    expect(resumed.epochSeconds).toHaveLength(3);
    const changed = nq("train", ...tiny, "--a", "0.9", "--epochs", "3", "--out", out, "--resume");
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/^nq: the checkpoint was made with other options: a 0\.3 \(now 0\.9\);/);
  });

  it("prints the result table without --json and lists backends", () => {
    const r = nq("train", ...tiny, "--a", "0", "--backend", "sim-cpu");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/backend\s+network\s+a\s+g\s+epochs\s+1-shot error\s+k-shot error/);
    expect(r.stdout).toMatch(/sim-cpu\s+16x2 qubits\s+0\s+pi\/2\s+2/);
    const b = nq("backends", "--json");
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout).map((x: { name: string }) => x.name)).toEqual(["sim-native", "sim-wasm", "sim-cpu", "sim-tfjs", "hardware"]);
  });
});
