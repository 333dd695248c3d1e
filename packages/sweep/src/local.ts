import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { readJson } from "@natural-quantization/core/node";
import type { RunRecord } from "./experiment.js";
import { cellFiles, cellFinished, liveClaim, readFailure } from "./cell.js";
import type { SweepDisplay } from "./display.js";
import type { EngineCellState, ExecuteReport, ExecuteRequest, SweepExecutor } from "./executor.js";
import type { Cell } from "./grid.js";
import { describeHolder, processAlive, type Liveness } from "./lock.js";
import type { RunMessage, WorkerMessage } from "./protocol.js";

export interface LocalOptions {
  /** Cells run at once (child processes). */
  readonly jobs: number;
  /** Backend threads per cell; default max(1, floor(cores / jobs)). */
  readonly threads?: number;
}

/** The compiled worker; under vitest (sources in .ts) the built one in dist. */
export function workerPath(): string {
  const here = import.meta.url;
  const path = here.endsWith(".ts") ? fileURLToPath(new URL("../dist/worker.js", here)) : fileURLToPath(new URL("./worker.js", here));
  if (!existsSync(path)) throw new Error(`sweep worker ${path} is missing; build the sweep package first (pnpm build)`);
  return path;
}

/** Cells run as child processes of this one, `jobs` at a time. */
export class LocalExecutor implements SweepExecutor {
  readonly name = "local";
  constructor(
    private readonly options: LocalOptions,
    private readonly alive: Liveness = processAlive,
  ) {}

  async inspect(dir: string, cells: readonly Cell[]): Promise<ReadonlyMap<string, EngineCellState>> {
    const out = new Map<string, EngineCellState>();
    for (const c of cells) {
      if (cellFinished(dir, c.key)) continue;
      const holder = liveClaim(dir, c.key, this.alive);
      const failure = readFailure(dir, c.key);
      if (holder) out.set(c.key, { state: "running", detail: `by ${describeHolder(holder)}` });
      else if (failure) out.set(c.key, { state: "failed", detail: failure.message, ...(failure.log ? { log: failure.log } : {}) });
    }
    return out;
  }

  async execute(request: ExecuteRequest): Promise<ExecuteReport> {
    const slots = Math.max(1, Math.min(this.options.jobs, request.run.length));
    const threads = this.options.threads ?? Math.max(1, Math.floor(availableParallelism() / slots));
    const { display } = request;
    display.begin({ total: request.cells.length, finished: request.finished, slots, threads, backend: request.manifest.settings.backend, dir: request.dir });
    let ran = 0;
    const failed: Array<{ key: string; message: string }> = [];
    await runCells(request.dir, request.run, slots, threads, request.experiments, display, {
      finished: () => {
        ran++;
      },
      failed: (cell, message) => failed.push({ key: cell.key, message }),
    });
    return { ran, failed, slots, threads };
  }
}

interface CellEvents {
  finished(cell: Cell): void;
  failed(cell: Cell, message: string): void;
}

/**
 * Runs the cells in child processes. A cell that fails with a user error (training diverged,
 * say) is reported and the others go on; anything else is a bug and stops the sweep.
 */
function runCells(
  dir: string, pending: readonly Cell[], slots: number, threads: number, experiments: string, display: SweepDisplay, events: CellEvents,
): Promise<void> {
  const queue = [...pending];
  const running = new Map<string, ChildProcess>();
  const worker = workerPath();
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const stopAll = () => {
      for (const child of running.values()) child.kill("SIGTERM");
    };
    // Ctrl-C or kill: stop the children too; finished cells are on disk, running ones resume from their checkpoints.
    const onSignal = (signal: NodeJS.Signals) => {
      stopAll();
      display.end();
      process.stderr.write(`nq: sweep interrupted (${signal}); re-run the same command to continue\n`);
      process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    const finish = (error?: Error) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      if (error) reject(error);
      else resolve();
    };
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      stopAll();
      finish(error);
    };

    const launch = (cell: Cell) => {
      const files = cellFiles(dir, cell.key);
      const child = fork(worker, [], { stdio: ["ignore", "ignore", "pipe", "ipc"], execArgv: [] });
      running.set(cell.key, child);
      let stderr = "";
      child.stderr?.on("data", (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-4000);
      });
      let outcome: WorkerMessage | null = null;
      child.on("message", (m: WorkerMessage) => {
        if (m.type === "progress") display.progress(cell, m);
        else outcome = m;
      });
      child.on("error", (e) => fail(new Error(`cannot start the sweep worker for cell ${cell.key}: ${e.message}`)));
      child.on("exit", (code, signal) => {
        running.delete(cell.key);
        if (failed) return;
        const o = outcome as WorkerMessage | null;
        if (code === 0 && o?.type === "done" && existsSync(files.result)) {
          const record = readJson(files.result, "cell result") as RunRecord;
          events.finished(cell);
          display.finished(cell, record, o.seconds);
          next();
        } else if (o?.type === "busy" || (o?.type === "error" && o.user)) {
          const message = o.type === "busy" ? `not run here: it is being run by ${o.holder}` : o.message;
          events.failed(cell, message);
          display.failed(cell, message);
          next();
        } else if (o?.type === "error") {
          const msg = `cell ${cell.key} failed: ${o.message}`;
          fail(Object.assign(new Error(msg), { stack: `${msg}\n${o.stack ?? ""}` }));
        } else {
          fail(new Error(`cell ${cell.key}: worker exited with ${signal ?? `code ${code}`}${stderr ? `: ${stderr.trim()}` : ""}`));
        }
      });
      display.started(cell);
      const message: RunMessage = { type: "run", dir, key: cell.key, threads, experiments };
      child.send(message);
    };

    const next = () => {
      if (failed) return;
      while (running.size < slots && queue.length > 0) launch(queue.shift()!);
      if (running.size === 0 && queue.length === 0) finish();
    };
    next();
  });
}
