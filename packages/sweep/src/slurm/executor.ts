import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readJson, writeFileAtomic, writeJsonAtomic } from "@natural-quantization/core/node";
import type { RunRecord } from "../experiment.js";
import { cellFiles, cellFinished, liveClaim, readFailure, readProgress } from "../cell.js";
import type { EngineCellState, ExecuteReport, ExecuteRequest, SweepExecutor } from "../executor.js";
import type { Cell } from "../grid.js";
import { describeHolder, type Liveness } from "../lock.js";
import { accountingStates, queueStates, sbatch, taskPhase } from "./queue.js";
import { batchScript, type SlurmOptions } from "./script.js";

/** One sbatch of the sweep: which cell indices went into which array job. */
export interface Submission {
  readonly jobId: string;
  readonly script: string;
  readonly submitted: string;
  readonly indices: readonly number[];
}

export const slurmDir = (dir: string) => join(dir, "slurm");
const submissionsPath = (dir: string) => join(slurmDir(dir), "submissions.json");
export const taskLog = (dir: string, taskId: string) => join(slurmDir(dir), "logs", `${taskId}.log`);

export function readSubmissions(dir: string): Submission[] {
  const p = submissionsPath(dir);
  return existsSync(p) ? (readJson(p, "Slurm submissions") as Submission[]) : [];
}

/** The compiled array-task entry; under vitest (sources in .ts) the built one in dist. */
function taskScriptPath(): string {
  const here = import.meta.url;
  const path = here.endsWith(".ts") ? fileURLToPath(new URL("../../dist/slurm/task.js", here)) : fileURLToPath(new URL("./task.js", here));
  if (!existsSync(path)) throw new Error(`Slurm task script ${path} is missing; build the sweep package first (pnpm build)`);
  return path;
}

export interface SlurmExecutorOptions extends SlurmOptions {
  /** Follow the job until its tasks have ended, instead of returning once it is queued. */
  readonly wait: boolean;
  /** Seconds between looks at the queue while following. */
  readonly pollSeconds?: number;
}

/** Cells run as the tasks of Slurm array jobs, writing into the shared sweep directory. */
export class SlurmExecutor implements SweepExecutor {
  readonly name = "slurm";
  constructor(
    private readonly options: SlurmExecutorOptions,
    private readonly alive: Liveness,
  ) {}

  async inspect(dir: string, cells: readonly Cell[]): Promise<ReadonlyMap<string, EngineCellState>> {
    const subs = readSubmissions(dir);
    const jobIds = subs.map((s) => s.jobId);
    const queue = queueStates(jobIds);
    // sacct remembers tasks that squeue has forgotten, where accounting is set up.
    const accounting = queue.size < subs.reduce((n, s) => n + s.indices.length, 0) ? accountingStates(jobIds) : new Map<string, string>();
    const out = new Map<string, EngineCellState>();
    for (const [index, cell] of cells.entries()) {
      if (cellFinished(dir, cell.key)) continue;
      const sub = [...subs].reverse().find((s) => s.indices.includes(index));
      const holder = liveClaim(dir, cell.key, this.alive);
      const failure = readFailure(dir, cell.key);
      if (!sub) {
        if (holder) out.set(cell.key, { state: "running", detail: `by ${describeHolder(holder)}` });
        else if (failure) out.set(cell.key, { state: "failed", detail: failure.message, ...(failure.log ? { log: failure.log } : {}) });
        continue;
      }
      const taskId = `${sub.jobId}_${index}`;
      const state = queue.get(taskId) ?? accounting.get(taskId);
      const log = taskLog(dir, taskId);
      const phase = state === undefined ? "ended" : taskPhase(state);
      if (phase === "pending") out.set(cell.key, { state: "pending", detail: `slurm task ${taskId} ${state}` });
      else if (phase === "running") out.set(cell.key, { state: "running", detail: `slurm task ${taskId} ${state}${holder ? ` on ${holder.host}` : ""}`, log });
      else if (holder) out.set(cell.key, { state: "running", detail: `by ${describeHolder(holder)}` });
      else {
        const why = failure?.message ?? (state ? `slurm task ${taskId} ended ${state} without a result` : `slurm task ${taskId} ended without a result`);
        out.set(cell.key, { state: "failed", detail: why, ...(existsSync(log) ? { log } : {}) });
      }
    }
    return out;
  }

  async execute(request: ExecuteRequest): Promise<ExecuteReport> {
    const { dir, cells, run } = request;
    let submitted: string | undefined;
    if (run.length > 0) {
      const indexOf = new Map(cells.map((c, i) => [c.key, i]));
      const indices = run.map((c) => indexOf.get(c.key)!);
      const sub = this.submit(dir, indices, cells.length, request.experiments);
      submitted = `Slurm job ${sub.jobId}: ${indices.length} array task${indices.length === 1 ? "" : "s"} (script ${sub.script}, logs ${join(slurmDir(dir), "logs")})`;
    }
    const threads = this.options.cpusPerTask;
    const slots = this.options.maxTasks ?? Math.max(1, run.length);
    if (!this.options.wait) return { ran: 0, failed: [], slots, threads, ...(submitted ? { submitted } : {}) };
    if (submitted) process.stderr.write(`sweep: submitted ${submitted}\n`);
    request.display.begin({ total: cells.length, finished: request.finished, slots, threads, backend: request.manifest.settings.backend, dir });
    try {
      return { ...(await this.follow(request)), slots, threads, followedAll: true };
    } finally {
      request.display.end();
    }
  }

  private submit(dir: string, indices: readonly number[], total: number, experiments: string): Submission {
    const subs = readSubmissions(dir);
    const logDir = join(slurmDir(dir), "logs");
    mkdirSync(logDir, { recursive: true });
    const script = join(slurmDir(dir), `submit-${subs.length + 1}.sbatch`);
    writeFileAtomic(script, batchScript({ dir, logDir, indices, options: this.options, node: process.execPath, task: taskScriptPath(), experiments, cells: total }));
    chmodSync(script, 0o755);
    const jobId = sbatch(script);
    const sub: Submission = { jobId, script, submitted: new Date().toISOString(), indices: [...indices] };
    writeJsonAtomic(submissionsPath(dir), [...subs, sub]);
    return sub;
  }

  /** Watches the queue and the cell files until no cell is pending or running, telling the display. */
  private async follow(request: ExecuteRequest): Promise<Omit<ExecuteReport, "slots" | "threads">> {
    const { dir, cells, display } = request;
    const poll = (this.options.pollSeconds ?? 5) * 1000;
    const open = new Set(cells.filter((c) => !cellFinished(dir, c.key)).map((c) => c.key));
    const started = new Set<string>();
    let ran = 0;
    const failed: Array<{ key: string; message: string }> = [];
    const onSignal = () => {
      display.end();
      process.stderr.write(`nq: stopped following; the Slurm job goes on (nq sweep status ${dir})\n`);
      process.exit(130);
    };
    process.on("SIGINT", onSignal);
    try {
      for (;;) {
        const left = cells.filter((c) => open.has(c.key));
        const states = await this.inspect(dir, cells);
        let active = 0;
        for (const cell of left) {
          const files = cellFiles(dir, cell.key);
          if (existsSync(files.result)) {
            open.delete(cell.key);
            const record = readJson(files.result, "cell result") as RunRecord;
            if (!started.has(cell.key)) display.started(cell);
            display.finished(cell, record, record.trainSeconds + record.evalSeconds);
            ran++;
            continue;
          }
          const s = states.get(cell.key);
          if (s?.state === "running") {
            active++;
            if (!started.has(cell.key)) {
              started.add(cell.key);
              display.started(cell);
            }
            const p = readProgress(dir, cell.key);
            if (p) display.progress(cell, p);
          } else if (s?.state === "pending") {
            active++;
          }
        }
        if (active === 0) break;
        await new Promise((r) => setTimeout(r, poll));
      }
    } finally {
      process.off("SIGINT", onSignal);
    }
    const states = await this.inspect(dir, cells);
    for (const cell of cells) {
      if (!open.has(cell.key)) continue;
      const s = states.get(cell.key);
      const message = s ? `${s.detail}${s.log ? `; log: ${s.log}` : ""}` : "not submitted";
      failed.push({ key: cell.key, message });
      display.failed(cell, message);
    }
    return { ran, failed };
  }
}
