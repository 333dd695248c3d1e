// Runs against a real Slurm cluster (scripts/slurm-local.sh start brings up a one-node one on this
// machine); run with `npm run test:slurm`. Without a reachable Slurm this test fails, saying why.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const nq = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const run = (command: string, ...args: string[]) => spawnSync(command, args, { encoding: "utf8" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fails (never skips) when no Slurm controller answers or no node can take work. */
function requireSlurm(): void {
  const how = "start a one-node cluster on this machine with: bash scripts/slurm-local.sh start";
  const r = run("sinfo", "-h", "-o", "%t");
  if (r.error) throw new Error(`Slurm is not reachable: sinfo cannot run (${r.error.message}); ${how}`);
  if (r.status !== 0) throw new Error(`Slurm is not reachable: sinfo failed (${r.stderr.trim().split("\n")[0]}); ${how}`);
  if (!/^(idle|mix|alloc|comp)/m.test(r.stdout)) throw new Error(`Slurm has no node that can run jobs (node states: ${r.stdout.trim().replace(/\n/g, ", ") || "none"}); ${how}`);
}

/** States of a job's array tasks, "12_3" -> "RUNNING". */
function taskStates(jobId: string): Map<string, string> {
  const r = run("squeue", "-h", "-r", "-t", "all", "-j", jobId, "-o", "%i|%T");
  return new Map(r.stdout.trim().split("\n").filter(Boolean).map((l) => l.split("|") as [string, string]));
}

async function waitForJob(jobId: string, timeoutMs = 240_000): Promise<void> {
  const live = /^(PENDING|CONFIGURING|RUNNING|COMPLETING|REQUEUED|SUSPENDED)$/;
  const t0 = Date.now();
  while ([...taskStates(jobId).values()].some((s) => live.test(s))) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`Slurm job ${jobId} still has live tasks after ${timeoutMs / 1000} s: ${JSON.stringify([...taskStates(jobId)])}`);
    await sleep(200);
  }
}

async function waitForFile(path: string, timeoutMs = 240_000): Promise<void> {
  const t0 = Date.now();
  while (!existsSync(path)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${path} did not appear within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

/** What must be bit-identical between executors: errors, training history (without timings) and the weights. */
type Result = { key: string; testError1: number; testErrorK: number; history: Array<Record<string, unknown>> };
function outcomes(dir: string, keys?: readonly string[]): Record<string, unknown> {
  const results = keys
    ? keys.map((key): Result => ({ ...(JSON.parse(readFileSync(join(dir, "cells", key, "result.json"), "utf8")) as Omit<Result, "key">), key }))
    : (JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as Result[]);
  return Object.fromEntries(
    results.map((r) => [
      r.key,
      {
        testError1: r.testError1,
        testErrorK: r.testErrorK,
        history: r.history.map(({ seconds: _s, ...rest }) => rest),
        weights: (JSON.parse(readFileSync(join(dir, "cells", r.key, "weights.json"), "utf8")) as { weights: unknown }).weights,
      },
    ]),
  );
}

// Cells long enough (6 epochs of 0.2 to 1 s here) to be cancelled between their first epoch and
// their result; Model 2 at g = 0.3, where the errors are far from 0.
const grid = ["--dataset", "synthetic", "--train-size", "3000", "--test-size", "200", "--width", "48", "--depth", "3", "--lr", "0.05", "--shots", "3", "--backend", "sim-cpu", "--epochs", "6", "--a", "0,1", "--g", "0.3", "--seeds", "0,1", "--no-png"];

/** The sweep directories the test submitted from: what they left queued is cancelled if the test fails half-way. */
const sweepDirs: string[] = [];
/** Jobs submitted by hand. */
const cleanup: string[] = [];
afterEach(() => {
  for (const dir of sweepDirs.splice(0)) {
    const p = join(dir, "slurm", "submissions.json");
    const ids = existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")) as Array<{ jobId: string }>).map((s) => s.jobId) : [];
    if (ids.length > 0) run("scancel", ...ids);
  }
  if (cleanup.length > 0) run("scancel", ...cleanup.splice(0));
});

describe("nq sweep --executor slurm, on a real Slurm", () => {
  it("runs the grid as an array job; a requeued task and a cancelled, resubmitted one resume; a duplicate task leaves its cell alone; results equal the local executor's bit for bit", async () => {
    requireSlurm();
    const root = mkdtempSync(join(tmpdir(), "nq-slurm-"));
    const local = join(root, "local");
    const ref = nq("sweep", ...grid, "--jobs", "2", "--no-report", "--out", local);
    expect(ref.code, ref.stderr).toBe(0);

    const out = join(root, "slurm");
    sweepDirs.push(out);
    const args = ["sweep", ...grid, "--executor", "slurm", "--max-tasks", "1", "--time", "10:00", "--out", out];
    const first = nq(...args);
    expect(first.code, first.stderr).toBe(0);
    const jobId = /submitted Slurm job (\d+): 4 array tasks/.exec(first.stdout)?.[1];
    expect(jobId, first.stdout).toBeDefined();
    const script = readFileSync(join(out, "slurm", "submit-1.sbatch"), "utf8");
    expect(script).toMatch(/^#SBATCH --array=0-3%1$/m);
    expect(script).toMatch(/^#SBATCH --time=10:00$/m);
    expect(script).toMatch(/^#SBATCH --requeue$/m);

    // Right after submission, every cell is queued or running as a task of that job (the first may be done already).
    const queued = nq("sweep", "status", out);
    expect(queued.code, queued.stderr).toBe(0);
    const lines = queued.stdout.split("\n").slice(0, 4).filter((l, i) => !(i === 0 && / done /.test(l)));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const states = lines.map((l) => /^ +(\d)  \S+ \S+ \S+ +(\w+) +slurm task (\d+_\d) (\w+)/.exec(l)?.slice(1));
    for (const [j, st] of states.entries()) {
      const i = j + 4 - lines.length;
      expect(st, queued.stdout).toBeDefined();
      expect(st![0]).toBe(String(i));
      expect(st![2]).toBe(`${jobId}_${i}`);
      expect(["pending PENDING", "pending CONFIGURING", "running RUNNING", "running COMPLETING"]).toContain(`${st![1]} ${st![3]}`);
    }

    // Cell 1 (a=1, seed 0): cancel its task after its first epoch, before its result.
    const cell1 = join(out, "cells", "a=1_g=0.3_seed=0");
    const t0 = Date.now();
    while (!existsSync(join(cell1, "progress.json"))) {
      if (existsSync(join(cell1, "result.json"))) throw new Error("cell 1 finished before it could be cancelled; make the test's cells longer");
      if (Date.now() - t0 > 240_000) throw new Error(`cell 1 did not start within 240 s; Slurm tasks: ${JSON.stringify([...taskStates(jobId!)])}`);
      await sleep(50);
    }
    const cancel = run("scancel", `${jobId}_1`);
    expect(cancel.status, cancel.stderr).toBe(0);

    // Cell 2: requeue its task midway (as preemption does); it runs again under the same id and resumes.
    await waitForFile(join(out, "cells", "a=0_g=0.3_seed=1", "progress.json"));
    const requeue = run("scontrol", "requeue", `${jobId}_2`);
    expect(requeue.status, requeue.stderr).toBe(0);
    // A requeued job waits (BeginTime) before it may start again; let it start now.
    while (taskStates(jobId!).get(`${jobId}_2`) !== "PENDING") await sleep(100);
    expect(run("scontrol", "update", `JobId=${jobId}_2`, "StartTime=now").status).toBe(0);
    await waitForJob(jobId!);
    expect(readFileSync(join(out, "slurm", "logs", `${jobId}_2.log`), "utf8")).toMatch(/DUE TO JOB REQUEUE[^]*cell 2 a=0_g=0.3_seed=1 as slurm task \d+_2, restart 1, .*; resuming from its checkpoint\n.*training epochs [2-6] to 6\n.*done in/);
    expect(existsSync(join(cell1, "result.json"))).toBe(false);
    expect(existsSync(join(cell1, "checkpoint.json"))).toBe(true);

    const status = nq("sweep", "status", out);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^ +1  a=1 g=0.3 seed=0 +failed +slurm task ${jobId}_1 ended CANCELLED without a result; log: .*/slurm/logs/${jobId}_1\\.log$`, "m"));
    expect(status.stdout).toMatch(/4 cells: 3 done, 0 running, 0 pending, 1 failed$/m);

    const early = nq("sweep", out, "--aggregate");
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/^nq: 1 of the 4 cells of .* are not done; see nq sweep status/);

    // The same command again submits the cancelled cell only; it resumes from its checkpoint, and --wait aggregates.
    const again = nq(...args, "--wait");
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/4\/4 cells finished \(1 run now, 3 skipped/);
    expect(again.stdout).toMatch(/report: .*report\.html/);
    const subs = JSON.parse(readFileSync(join(out, "slurm", "submissions.json"), "utf8")) as Array<{ jobId: string; indices: number[] }>;
    expect(subs.map((s) => s.indices)).toEqual([[0, 1, 2, 3], [1]]);
    expect(readFileSync(join(out, "slurm", "submit-2.sbatch"), "utf8")).toMatch(/^#SBATCH --array=1%1$/m);
    expect(readFileSync(join(out, "slurm", "logs", `${subs[1].jobId}_1.log`), "utf8")).toMatch(/cell 1 a=1_g=0.3_seed=0 .*; resuming from its checkpoint\n.*training epochs [2-6] to 6\n.*done in/);
    for (const f of ["results.json", "summary.csv", "report.html", "plots/error-vs-a.svg"]) expect(existsSync(join(out, f)), f).toBe(true);

    expect(outcomes(out)).toEqual(outcomes(local));

    // The kept batch script rerun by hand: every task finds its cell finished and leaves it alone.
    const mtimes = () => readdirSync(join(out, "cells")).map((k) => statSync(join(out, "cells", k, "result.json")).mtimeMs);
    const before = mtimes();
    const byHand = run("sbatch", "--parsable", join(out, "slurm", "submit-1.sbatch"));
    expect(byHand.status, byHand.stderr).toBe(0);
    const handJob = byHand.stdout.trim().split(";")[0];
    cleanup.push(handJob);
    await waitForJob(handJob);
    for (const i of [0, 1, 2, 3]) expect(readFileSync(join(out, "slurm", "logs", `${handJob}_${i}.log`), "utf8")).toMatch(/already finished; nothing to do/);
    expect(mtimes()).toEqual(before);

    // Two copies of cell 3's task at once (its result removed): one runs it, the other leaves it alone.
    rmSync(join(out, "cells", "a=1_g=0.3_seed=1", "result.json"));
    const twins = [0, 1].map(() => run("sbatch", "--parsable", "--array=3", join(out, "slurm", "submit-1.sbatch")).stdout.trim().split(";")[0]);
    cleanup.push(...twins);
    for (const id of twins) await waitForJob(id);
    const twinLogs = twins.map((id) => readFileSync(join(out, "slurm", "logs", `${id}_3.log`), "utf8"));
    expect(twinLogs.filter((l) => /done in/.test(l)), twinLogs.join("\n")).toHaveLength(1);
    expect(twinLogs.filter((l) => /this duplicate exits without running it|already finished/.test(l)), twinLogs.join("\n")).toHaveLength(1);
    expect(outcomes(out, ["a=1_g=0.3_seed=1"])).toEqual(outcomes(local, ["a=1_g=0.3_seed=1"]));
  });
});
