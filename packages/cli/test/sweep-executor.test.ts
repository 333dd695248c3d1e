import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError } from "@natural-quantization/core";
import { arraySpec, batchScript, validateSlurmOptions } from "@natural-quantization/sweep";

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const nq = (args: string[], env: NodeJS.ProcessEnv = process.env) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const tiny = ["--dataset", "synthetic", "--train-size", "120", "--test-size", "60", "--width", "8", "--depth", "3", "--lr", "0.05", "--shots", "3", "--backend", "sim-cpu", "--epochs", "1"];
const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe("the Slurm batch script", () => {
  it("asks for the cells' indices as one array, runs at most N at once, and carries every option", () => {
    expect(arraySpec([0, 1, 2, 3, 7, 9, 10], 4)).toBe("0-3,7,9-10%4");
    expect(arraySpec([5])).toBe("5");
    expect(arraySpec([3, 1, 2])).toBe("1-3");
    const script = batchScript({
      dir: "/shared/it's here",
      logDir: "/shared/it's here/slurm/logs",
      indices: [1, 4, 5],
      options: validateSlurmOptions({ partition: "gpu", time: "1-12:00:00", cpusPerTask: 4, mem: "8G", account: "qnn", maxTasks: 2, extra: ["--qos=short", "--constraint=avx2"] }),
      node: "/usr/bin/node",
      task: "/opt/nq/dist/slurm/task.js",
      experiments: "file:///opt/nq/cli/dist/experiment.js",
      cells: 6,
    });
    const directives = script.split("\n").filter((l) => l.startsWith("#SBATCH"));
    expect(directives).toEqual([
      "#SBATCH --job-name=nq-sweep",
      "#SBATCH --array=1,4-5%2",
      "#SBATCH --output=/shared/it's here/slurm/logs/%A_%a.log",
      "#SBATCH --open-mode=append",
      "#SBATCH --ntasks=1",
      "#SBATCH --cpus-per-task=4",
      "#SBATCH --requeue",
      "#SBATCH --partition=gpu",
      "#SBATCH --time=1-12:00:00",
      "#SBATCH --mem=8G",
      "#SBATCH --account=qnn",
      "#SBATCH --qos=short",
      "#SBATCH --constraint=avx2",
    ]);
    expect(script).toMatch(/^#!\/bin\/bash\n/);
    // The directory is one shell word however it is spelt.
    expect(script).toContain(`exec '/usr/bin/node' '/opt/nq/dist/slurm/task.js' '/shared/it'\\''s here' "$SLURM_ARRAY_TASK_ID" 'file:///opt/nq/cli/dist/experiment.js'\n`);
  });

  it("refuses values that are not one sbatch option (a space or newline would inject a command)", () => {
    const ok = { cpusPerTask: 1, extra: [] };
    expect(() => validateSlurmOptions({ ...ok, partition: "a b" })).toThrow(ConfigError);
    expect(() => validateSlurmOptions({ ...ok, account: "x\nrm -rf /" })).toThrow(/invalid account/);
    expect(() => validateSlurmOptions({ ...ok, time: "1h" })).toThrow(/invalid time: "1h" \(allowed: minutes, MM:SS/);
    expect(() => validateSlurmOptions({ ...ok, extra: ["--qos=x\necho hi"] })).toThrow(/invalid sbatch/);
    for (const time of ["90", "30:00", "1:30:00", "2-00", "2-00:30", "2-00:30:00"]) expect(validateSlurmOptions({ ...ok, time }).time).toBe(time);
  });
});

describe("nq sweep executors from the command line", () => {
  it("rejects bad Slurm options, and Slurm options without --executor slurm, in one line with status 2", () => {
    const out = join(tmp("nq-exec-bad-"), "sweep");
    for (const [args, message] of [
      [["--executor", "kube"], /^nq: invalid executor: "kube" \(allowed: local, slurm, a package installed in the current directory, or a path to a module exporting `executor`; no package kube is installed in /],
      [["--executor", "slurm", "--time", "abc"], /^nq: invalid time: "abc" \(allowed: minutes, MM:SS, HH:MM:SS/],
      [["--executor", "slurm", "--max-tasks", "0"], /^nq: invalid max-tasks/],
      [["--executor", "slurm", "--sbatch", "qos=x"], /^nq: invalid sbatch: "qos=x" \(allowed: an sbatch option such as --qos=short/],
      [["--partition", "p", "--wait"], /^nq: --partition, --wait apply to --executor slurm only; add --executor slurm or leave them out$/m],
    ] as const) {
      const r = nq(["sweep", ...tiny, "--out", out, ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(existsSync(out)).toBe(false);
  });

  it("says what is missing when Slurm's commands are not installed", () => {
    const out = join(tmp("nq-exec-nosbatch-"), "sweep");
    const r = nq(["sweep", ...tiny, "--a", "0", "--seeds", "0", "--out", out, "--executor", "slurm", "--sbatch", "--qos=short", "--sbatch", "#SBATCH --constraint=avx2"], { ...process.env, PATH: "/nonexistent" });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("nq: sbatch is not on PATH: --executor slurm needs the Slurm client commands (sbatch, squeue) of a running cluster\n");
    // The script that would have been submitted is there to read.
    const script = readFileSync(join(out, "slurm", "submit-1.sbatch"), "utf8");
    expect(script).toMatch(/^#SBATCH --array=0$/m);
    expect(script).toMatch(/^#SBATCH --qos=short\n#SBATCH --constraint=avx2\n/m);
  });

  it("nq sweep status shows done, pending and failed cells of a local sweep, and --aggregate waits for all", () => {
    const out = join(tmp("nq-exec-status-"), "sweep");
    expect(nq(["sweep", ...tiny, "--a", "0,1", "--seeds", "0,1", "--no-report", "--out", out]).code).toBe(0);
    rmSync(join(out, "cells", "a=1_g=1.570796_seed=0", "result.json"));
    rmSync(join(out, "cells", "a=0_g=1.570796_seed=1", "result.json"));
    const failure = { message: "training diverged at epoch 1", at: "2026-01-01T00:00:00.000Z", by: { host: "h", pid: 1, since: "2026-01-01T00:00:00.000Z" } };
    writeFileSync(join(out, "cells", "a=0_g=1.570796_seed=1", "failed.json"), JSON.stringify(failure));
    const r = nq(["sweep", "status", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n").filter(Boolean)).toEqual([
      expect.stringMatching(/^ +0  a=0 g=pi\/2 seed=0 +done +1-shot \d+\.\d\d%, 3-shot \d+\.\d\d%$/),
      expect.stringMatching(/^ +1  a=1 g=pi\/2 seed=0 +pending +not queued: re-run the sweep command to run it$/),
      expect.stringMatching(/^ +2  a=0 g=pi\/2 seed=1 +failed +training diverged at epoch 1$/),
      expect.stringMatching(/^ +3  a=1 g=pi\/2 seed=1 +done /),
      `${out} (local): 4 cells: 2 done, 0 running, 1 pending, 1 failed`,
    ]);
    const agg = nq(["sweep", out, "--aggregate", "--no-png"]);
    expect(agg.code).toBe(2);
    expect(agg.stderr).toBe(`nq: 2 of the 4 cells of ${out} are not done; see nq sweep status ${out}, re-run the sweep command for failed ones, then aggregate\n`);
    expect(nq(["sweep", ...tiny, "--a", "0,1", "--seeds", "0,1", "--no-report", "--out", out]).code).toBe(0);
    const done = nq(["sweep", out, "--aggregate", "--no-png"]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/^sweep: 4\/4 cells finished in .*; results.json and summary.csv written\n[^]*report: .*report\.html\n$/);
  });
  it("runs the cells on a contributed executor named by a path, and nq sweep status finds it again", () => {
    const out = join(tmp("nq-exec-plugin-"), "sweep");
    const log = join(tmp("nq-exec-log-"), "cells.log");
    const env = { ...process.env, NQ_TEST_EXECUTOR_LOG: log };
    const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
    const r = spawnSync(process.execPath, [bin, "sweep", ...tiny, "--a", "0,1", "--seeds", "0", "--no-report", "--no-png", "--out", out, "--executor", "./recording-executor.mjs"], { encoding: "utf8", env, cwd: fixtures });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(log, "utf8").trim().split("\n").sort()).toEqual(["a=0_g=1.570796_seed=0", "a=1_g=1.570796_seed=0", "made with label (none)"]);
    expect(existsSync(join(out, "results.json"))).toBe(true);
    const st = spawnSync(process.execPath, [bin, "sweep", "status", out], { encoding: "utf8", env });
    expect(st.status, st.stderr).toBe(0);
    expect(st.stdout).toContain(`${out} (recording-local): 2 cells: 2 done`);
    const missing = nq(["sweep", ...tiny, "--a", "0", "--seeds", "0", "--out", join(tmp("nq-exec-none-"), "s"), "--executor", "./no-such-executor.mjs"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^nq: executor module .*no-such-executor\.mjs does not exist; check the path/);
  });

  it("offers a contributed executor's own options, hands their values to it, and to nq sweep status again", () => {
    const out = join(tmp("nq-exec-options-"), "sweep");
    const log = join(tmp("nq-exec-options-log-"), "cells.log");
    const env = { ...process.env, NQ_TEST_EXECUTOR_LOG: log };
    const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
    const run = (args: string[], cwd = fixtures) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env, cwd });
    const help = run(["sweep", "--executor", "./recording-executor.mjs", "--help"]);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain("--record-label <text>");
    expect(help.stdout.replace(/\s+/g, " ")).toContain("with --executor recording-local: a label written to the log each time the executor is made");
    const r = run(["sweep", ...tiny, "--a", "0", "--seeds", "0", "--no-report", "--no-png", "--out", out, "--executor", "./recording-executor.mjs", "--record-label", "run-1"]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(log, "utf8")).toBe("made with label run-1\na=0_g=1.570796_seed=0\n");
    expect(JSON.parse(readFileSync(join(out, "executor.json"), "utf8")).settings).toEqual({ "record-label": "run-1" });
    // nq sweep status makes the executor again with the values it ran with.
    const st = run(["sweep", "status", out]);
    expect(st.status, st.stderr).toBe(0);
    expect(readFileSync(log, "utf8")).toBe("made with label run-1\na=0_g=1.570796_seed=0\nmade with label run-1\n");
    // Another executor does not take the option.
    const other = nq(["sweep", ...tiny, "--a", "0", "--seeds", "0", "--out", join(tmp("nq-exec-options-local-"), "s"), "--record-label", "x"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^nq: unknown option '--record-label'/);
  });
});
