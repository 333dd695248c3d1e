import { fork, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { availableParallelism, cpus, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "@natural-quantization/core";
import { readJson, writeFileAtomic, writeJsonAtomic } from "@natural-quantization/core/node";
import { ensureDataset, loadDataset } from "@natural-quantization/datasets";
import { loadBackend } from "../backends.js";
import { printDownloadProgress } from "../progress.js";
import { validateExperiment, type RunRecord } from "../experiment.js";
import { cellConfig, configDiff, type SweepConfig, type SweepSettings } from "./config.js";
import { expandCells, type Cell, type SweepGrid } from "./grid.js";
import { StderrSweepDisplay, type SweepDisplay } from "./display.js";
import type { RunMessage, WorkerMessage } from "./protocol.js";
import { summarize, summaryCsv } from "./summary.js";

export const MANIFEST_FORMAT = "nq-sweep/1";

/** sweep.json: the configuration a sweep directory was started with. */
export interface SweepManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly settings: SweepSettings;
  readonly grids: readonly SweepGrid[];
  /** Of the dataset: chance error is 1 - 1/numClasses. */
  readonly numClasses: number;
  readonly datasetName: string;
  readonly preset: string | null;
  readonly createdAt: string;
  /** The command that started the sweep (without "nq"), to tell how to continue it. */
  readonly argv?: readonly string[];
}

/** One line of results.json: a cell's `nq train --json` record (with its history) and its key. */
export type CellRecord = RunRecord & { readonly key: string };

/** The machine a run of the sweep command used. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
}

/** timing.json: one entry per invocation that ran cells. */
export interface TimingRun {
  readonly started: string;
  readonly finished: string;
  readonly wallSeconds: number;
  readonly cellsRun: number;
  readonly jobs: number;
  readonly threads: number;
  readonly completed: boolean;
  readonly argv: readonly string[];
  readonly machine: MachineInfo;
}

export interface RunSweepOptions {
  readonly out: string;
  /** Cells run at once (child processes). */
  readonly jobs: number;
  /** Backend threads per cell; default max(1, floor(cores / jobs)). */
  readonly threads?: number;
  readonly preset?: string | null;
  readonly argv?: readonly string[];
  readonly display?: SweepDisplay;
}

export interface SweepOutcome {
  readonly manifest: SweepManifest;
  readonly cells: readonly Cell[];
  readonly skipped: number;
  readonly ran: number;
  readonly records: readonly CellRecord[];
  /** Cells whose run failed with a user error (e.g. training diverged); a re-run retries them. */
  readonly failed: ReadonlyArray<{ readonly key: string; readonly message: string }>;
  readonly wallSeconds: number;
}

export const cellDir = (dir: string, key: string) => join(dir, "cells", key);
const resultPath = (dir: string, key: string) => join(cellDir(dir, key), "result.json");

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpu: c[0]?.model?.trim() || "unknown",
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()}`,
    node: process.version,
  };
}

export function readManifest(dir: string): SweepManifest | null {
  const path = join(dir, "sweep.json");
  if (!existsSync(path)) return null;
  const m = readJson(path, "sweep manifest") as SweepManifest;
  if (m?.format !== MANIFEST_FORMAT) throw new UserError(`${path} is not a sweep manifest of this version (format ${JSON.stringify(m?.format)}, expected ${MANIFEST_FORMAT})`);
  // Sweeps made when "mnist" named the bundled subset keep running on the subset.
  if (m.settings.dataset === "mnist" && m.datasetName === "mnist-subset") return { ...m, settings: { ...m.settings, dataset: "mnist-subset" } };
  return m;
}

/** Records of the finished cells, in cell order; a cell is finished when its result.json exists. */
export function readRecords(dir: string, cells: readonly Cell[]): CellRecord[] {
  const out: CellRecord[] = [];
  for (const c of cells) {
    const p = resultPath(dir, c.key);
    if (existsSync(p)) out.push({ key: c.key, ...(readJson(p, "cell result") as RunRecord) });
  }
  return out;
}

/** Rewrites results.json and summary.csv from the finished cells. */
export function writeAggregates(dir: string, cells: readonly Cell[]): CellRecord[] {
  const records = readRecords(dir, cells);
  writeJsonAtomic(join(dir, "results.json"), records);
  writeFileAtomic(join(dir, "summary.csv"), summaryCsv(summarize(records)));
  return records;
}

export function readTiming(dir: string): TimingRun[] {
  const p = join(dir, "timing.json");
  return existsSync(p) ? (readJson(p, "timing") as TimingRun[]) : [];
}

/**
 * Creates the sweep directory (sweep.json), or checks that an existing one was made with the
 * same configuration: results of different configurations are never mixed.
 */
export function prepareDirectory(dir: string, config: SweepConfig, preset: string | null, argv: readonly string[] = []): SweepManifest {
  const existing = readManifest(dir);
  if (existing) {
    const diff = configDiff({ settings: existing.settings, grids: existing.grids }, { settings: config.settings, grids: config.grids });
    if (diff.length > 0) {
      const shown = diff.slice(0, 4).join("; ") + (diff.length > 4 ? `; and ${diff.length - 4} more` : "");
      const original = existing.argv && existing.argv.length > 0 ? ` (nq ${existing.argv.join(" ")})` : "";
      throw new UserError(`${dir} holds a sweep with another configuration (${shown}); re-run with the original options${original} to continue it, or choose a new --out directory`);
    }
    return existing;
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UserError(`${dir} exists and is not a sweep directory (no sweep.json); choose a new or empty --out directory`);
  }
  // Fail before any cell runs: the backend must load, every cell must validate, the dataset must load.
  const cells = expandCells(config.grids);
  for (const c of cells) validateExperiment(cellConfig(config.settings, c));
  const dataset = loadDataset(config.settings.dataset, { trainSize: config.settings.trainSize, testSize: config.settings.testSize });
  const manifest: SweepManifest = {
    format: MANIFEST_FORMAT,
    settings: config.settings,
    grids: config.grids,
    numClasses: dataset.numClasses,
    datasetName: dataset.name,
    preset,
    createdAt: new Date().toISOString(),
    argv: [...argv],
  };
  mkdirSync(join(dir, "cells"), { recursive: true });
  writeJsonAtomic(join(dir, "sweep.json"), manifest);
  return manifest;
}

/** The compiled worker; under vitest (sources in .ts) the built one in dist. */
export function workerPath(): string {
  const here = import.meta.url;
  const path = here.endsWith(".ts") ? fileURLToPath(new URL("../../dist/sweep/worker.js", here)) : fileURLToPath(new URL("./worker.js", here));
  if (!existsSync(path)) throw new Error(`sweep worker ${path} is missing; build the cli package first (pnpm build)`);
  return path;
}

/**
 * Runs every unfinished cell, `jobs` at a time, each in its own child process, and keeps
 * results.json and summary.csv up to date after each finished cell. Re-running skips finished
 * cells; a cell interrupted mid-training resumes from its per-epoch checkpoint.
 */
export async function runSweep(config: SweepConfig, options: RunSweepOptions): Promise<SweepOutcome> {
  const dir = options.out;
  await loadBackend(config.settings.backend);
  await ensureDataset(config.settings.dataset, { onProgress: printDownloadProgress });
  const manifest = prepareDirectory(dir, config, options.preset ?? null, options.argv);
  const cells = expandCells(manifest.grids);
  const pending = cells.filter((c) => !existsSync(resultPath(dir, c.key)));
  // A sweep killed between a cell's result and the removal of its checkpoint leaves one behind.
  for (const c of cells) if (!pending.includes(c)) rmSync(join(cellDir(dir, c.key), "checkpoint.json"), { force: true });
  const skipped = cells.length - pending.length;
  const slots = Math.max(1, Math.min(options.jobs, pending.length));
  const threads = options.threads ?? Math.max(1, Math.floor(availableParallelism() / slots));
  const display = options.display ?? new StderrSweepDisplay();
  const started = new Date();
  const t0 = performance.now();
  let ran = 0;
  let completed = false;
  const failed: Array<{ key: string; message: string }> = [];
  display.begin({ total: cells.length, finished: skipped, slots, threads, backend: manifest.settings.backend, dir });
  try {
    await runCells(dir, manifest, pending, slots, threads, display, {
      finished: () => {
        ran++;
      },
      failed: (cell, message) => failed.push({ key: cell.key, message }),
    });
    completed = true;
  } finally {
    display.end();
    const records = writeAggregates(dir, cells);
    if (ran > 0 || completed) {
      const run: TimingRun = {
        started: started.toISOString(),
        finished: new Date().toISOString(),
        wallSeconds: (performance.now() - t0) / 1000,
        cellsRun: ran,
        jobs: slots,
        threads,
        completed: records.length === cells.length,
        argv: options.argv ?? [],
        machine: machineInfo(),
      };
      writeJsonAtomic(join(dir, "timing.json"), [...readTiming(dir), run]);
    }
  }
  return { manifest, cells, skipped, ran, records: readRecords(dir, cells), failed, wallSeconds: (performance.now() - t0) / 1000 };
}

interface CellEvents {
  finished(cell: Cell): void;
  failed(cell: Cell, message: string): void;
}

/**
 * Runs the cells in child processes. A cell that fails with a user error (training diverged,
 * say) is reported and the others go on; anything else is a bug and stops the sweep.
 */
function runCells(dir: string, manifest: SweepManifest, pending: readonly Cell[], slots: number, threads: number, display: SweepDisplay, events: CellEvents): Promise<void> {
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
      const out = cellDir(dir, cell.key);
      mkdirSync(out, { recursive: true });
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
        if (code === 0 && o?.type === "done" && existsSync(resultPath(dir, cell.key))) {
          // The weights stay for nq eval; the checkpoint (weights and momenta) is no longer needed.
          rmSync(join(out, "checkpoint.json"), { force: true });
          const record = readJson(resultPath(dir, cell.key), "cell result") as RunRecord;
          writeAggregates(dir, cellsOf(manifest));
          events.finished(cell);
          display.finished(cell, record, o.seconds);
          next();
        } else if (o?.type === "error" && o.user) {
          events.failed(cell, o.message);
          display.failed(cell, o.message);
          next();
        } else if (o?.type === "error") {
          const msg = `cell ${cell.key} failed: ${o.message}`;
          fail(Object.assign(new Error(msg), { stack: `${msg}\n${o.stack ?? ""}` }));
        } else {
          fail(new Error(`cell ${cell.key}: worker exited with ${signal ?? `code ${code}`}${stderr ? `: ${stderr.trim()}` : ""}`));
        }
      });
      display.started(cell);
      const message: RunMessage = { type: "run", config: cellConfig(manifest.settings, cell, threads), out };
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

const cellsCache = new WeakMap<SweepManifest, Cell[]>();
function cellsOf(m: SweepManifest): Cell[] {
  let c = cellsCache.get(m);
  if (!c) cellsCache.set(m, (c = expandCells(m.grids)));
  return c;
}

