import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { availableParallelism, cpus, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { DataError, UserError, type PluginOptionValues } from "@natural-quantization/core";
import { readJson, writeFileAtomic, writeJsonAtomic } from "@natural-quantization/core/node";
import { loadDataset } from "@natural-quantization/datasets";
import { loadExperimentModule, type ExperimentModule, type RunRecord } from "./experiment.js";
import { cellConfig, configDiff, type SweepConfig } from "./config.js";
import { expandCells, type Cell } from "./grid.js";
import { StderrSweepDisplay, type SweepDisplay } from "./display.js";
import { cellFiles, readCellResult, setAsideCorruptResult } from "./cell.js";
import { MANIFEST_FORMAT, type SweepManifest } from "./manifest.js";
export { MANIFEST_FORMAT, type SweepManifest };
import type { ExecuteReport, SweepExecutor } from "./executor.js";
import { LOCK_FILE, lockSweepDirectory } from "./lock.js";
import { summarize, summaryCsv } from "./summary.js";


/** How long a sweep that runs its cells itself waits for another runner to let go of a cell. */
const FREED_WAIT_SECONDS = 120;

/** sweep.json: the configuration a sweep directory was started with. */

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
  /** Where the cells ran (absent: local processes). */
  readonly executor?: string;
}

export interface RunSweepOptions {
  readonly out: string;
  /** Where the cells run: local processes, a Slurm array job, ... */
  readonly executor: SweepExecutor;
  /** How a contributed executor was loaded (a package name or an absolute module path), kept for `nq sweep status`. */
  readonly executorModule?: string;
  /** The values of a contributed executor's own options, kept with it for `nq sweep status`. */
  readonly executorSettings?: PluginOptionValues;
  /**
   * The experiment module that trains each cell (see ExperimentModule): a URL or package
   * specifier, since cells run in other processes. `nq sweep` passes its own.
   */
  readonly experiments: string;
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
  /** Cells still queued or running in the engine when this call returned (a batch job not waited for). */
  readonly unfinished: number;
  /** What was handed to a batch system without waiting, e.g. "Slurm job 12: 5 array tasks (...)". */
  readonly submitted?: string;
  readonly wallSeconds: number;
}

const resultPath = (dir: string, key: string) => cellFiles(dir, key).result;

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

/** Records of the finished cells, in cell order; a cell is finished when its result.json is a valid record. */
export function readRecords(dir: string, cells: readonly Cell[]): CellRecord[] {
  const out: CellRecord[] = [];
  for (const c of cells) {
    const record = readCellResult(dir, c.key);
    if (record) out.push({ key: c.key, ...record });
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
export function prepareDirectory(
  dir: string, config: SweepConfig, experiments: Pick<ExperimentModule, "validateExperiment">, preset: string | null, argv: readonly string[] = [],
): SweepManifest {
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
  if (existsSync(dir) && readdirSync(dir).some((f) => f !== LOCK_FILE)) {
    throw new UserError(`${dir} exists and is not a sweep directory (no sweep.json); choose a new or empty --out directory`);
  }
  // Fail before any cell runs: the backend must load, every cell must validate, the dataset must load.
  const cells = expandCells(config.grids);
  for (const c of cells) experiments.validateExperiment(cellConfig(config.settings, c));
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

/** The executor a sweep directory last ran on (its executor.json). */
export interface ExecutorRecord {
  /** The name to load it by: a contributed executor's module as it was given, else the built-in's name. */
  readonly name: string;
  /** The values of its own options it was given (ExecutorPlugin.options). */
  readonly settings: PluginOptionValues;
}

/** executor.json: the engine the sweep last ran on, for `nq sweep status` (the local one where there is none). */
export function readExecutorRecord(dir: string): ExecutorRecord {
  const p = join(dir, "executor.json");
  if (!existsSync(p)) return { name: "local", settings: {} };
  const record = readJson(p, "executor record") as { executor?: unknown; module?: unknown; settings?: unknown };
  const name = record.module ?? record.executor;
  const settings = record.settings ?? {};
  const valid = typeof settings === "object" && settings !== null && !Array.isArray(settings) && Object.values(settings).every((v) => typeof v === "string" || v === true);
  if (typeof name !== "string" || !valid) throw new DataError(`${p} is not an executor record (executor: a name, settings: option values); run the sweep command again to rewrite it`);
  return { name, settings: settings as PluginOptionValues };
}

/**
 * Runs (or, on a batch system, submits) every cell that is neither finished nor already queued
 * or running, and keeps results.json and summary.csv up to date after each finished cell.
 * Holds the directory's lock throughout: one sweep process per directory. Re-running skips
 * finished cells; a cell interrupted mid-training resumes from its per-epoch checkpoint.
 */
export async function runSweep(config: SweepConfig, options: RunSweepOptions): Promise<SweepOutcome> {
  const dir = options.out;
  const executor = options.executor;
  const experiments = await loadExperimentModule(options.experiments);
  await experiments.prepareExperiment(config.settings);
  const unlock = lockSweepDirectory(dir, (options.argv ?? []).join(" "));
  try {
    const manifest = prepareDirectory(dir, config, experiments, options.preset ?? null, options.argv);
    const cells = expandCells(manifest.grids);
    // A corrupt result is no result: set it aside and run the cell again.
    for (const c of cells) {
      const problem = setAsideCorruptResult(dir, c.key);
      if (problem) process.stderr.write(`sweep: ${resultPath(dir, c.key)} is corrupt (${problem}); set aside as result.json.corrupt, the cell runs again\n`);
    }
    const finished = (c: Cell) => existsSync(resultPath(dir, c.key));
    // A sweep killed between a cell's result and the removal of its checkpoint leaves one behind.
    for (const c of cells) if (finished(c)) rmSync(cellFiles(dir, c.key).checkpoint, { force: true });
    const engine = await executor.inspect(dir, cells);
    const busy = (c: Cell) => ["pending", "running"].includes(engine.get(c.key)?.state ?? "");
    const run = cells.filter((c) => !finished(c) && !busy(c));
    const skipped = cells.filter(finished).length;
    const settings = options.executorSettings ?? {};
    writeJsonAtomic(join(dir, "executor.json"), {
      executor: executor.name,
      ...(options.executorModule ? { module: options.executorModule } : {}),
      ...(Object.keys(settings).length > 0 ? { settings } : {}),
    });
    const shown = options.display ?? new StderrSweepDisplay();
    // Results and summary follow every finished cell.
    const display: SweepDisplay = { ...bind(shown), finished: (cell, record, seconds) => (writeAggregates(dir, cells), shown.finished(cell, record, seconds)) };
    const busyAtStart = new Set(cells.filter((c) => !finished(c) && busy(c)).map((c) => c.key));
    /**
     * Cells another runner held at the start (an orphaned worker of a killed sweep, say): once
     * it lets go without a result they are run here too, so a run that waits leaves none behind.
     */
    const runFreed = async (first: ExecuteReport): Promise<ExecuteReport> => {
      let merged = first;
      const tried = new Set(run.map((c) => c.key));
      for (let waited = 0; busyAtStart.size > 0 && waited < FREED_WAIT_SECONDS; waited++) {
        const now = await executor.inspect(dir, cells);
        const held = (c: Cell) => ["pending", "running"].includes(now.get(c.key)?.state ?? "");
        const open = cells.filter((c) => busyAtStart.has(c.key) && !finished(c) && !tried.has(c.key));
        const freed = open.filter((c) => !held(c));
        if (open.length === 0) break;
        if (freed.length === 0) {
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        for (const c of freed) tried.add(c.key);
        const more = await executor.execute({ dir, manifest, cells, run: freed, finished: cells.filter(finished).length, display, experiments: options.experiments });
        merged = { ...merged, ran: merged.ran + more.ran, failed: [...merged.failed, ...more.failed] };
      }
      return merged;
    };
    const started = new Date();
    const t0 = performance.now();
    let report: ExecuteReport | null = null;
    try {
      report = await executor.execute({ dir, manifest, cells, run, finished: skipped, display, experiments: options.experiments });
      if (!report.submitted && !report.followedAll) report = await runFreed(report);
    } finally {
      display.end();
      const records = writeAggregates(dir, cells);
      if (report && report.ran > 0) {
        const timing: TimingRun = {
          started: started.toISOString(),
          finished: new Date().toISOString(),
          wallSeconds: (performance.now() - t0) / 1000,
          cellsRun: report.ran,
          jobs: report.slots,
          threads: report.threads,
          completed: records.length === cells.length,
          argv: options.argv ?? [],
          machine: machineInfo(),
          executor: executor.name,
        };
        writeJsonAtomic(join(dir, "timing.json"), [...readTiming(dir), timing]);
      }
    }
    const records = readRecords(dir, cells);
    const after = await executor.inspect(dir, cells);
    const unfinished = cells.filter((c) => !finished(c) && ["pending", "running"].includes(after.get(c.key)?.state ?? "")).length;
    return {
      manifest,
      cells,
      skipped,
      ran: report.ran,
      records,
      failed: report.failed,
      unfinished,
      ...(report.submitted ? { submitted: report.submitted } : {}),
      wallSeconds: (performance.now() - t0) / 1000,
    };
  } finally {
    unlock();
  }
}

/** A display's methods bound to it, so they can be spread into a decorating object. */
function bind(d: SweepDisplay): SweepDisplay {
  return {
    begin: d.begin.bind(d),
    started: d.started.bind(d),
    progress: d.progress.bind(d),
    finished: d.finished.bind(d),
    failed: d.failed.bind(d),
    end: d.end.bind(d),
  };
}
