import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { UserError, type ProgressReporter } from "@natural-quantization/core";
import { readJson, writeJsonAtomic } from "@natural-quantization/core/node";
import type { ExperimentModule, RunRecord } from "./experiment.js";
import { cellConfig } from "./config.js";
import type { CellProgress } from "./display.js";
import type { Cell } from "./grid.js";
import { takeLock, type Holder, type Liveness } from "./lock.js";
import type { SweepManifest } from "./manifest.js";

/** The files of one cell under DIR/cells/KEY. */
export const cellDir = (dir: string, key: string) => join(dir, "cells", key);
export const cellFiles = (dir: string, key: string) => {
  const d = cellDir(dir, key);
  return {
    dir: d,
    result: join(d, "result.json"),
    checkpoint: join(d, "checkpoint.json"),
    /** Who is running the cell now (created exclusively: one runner per cell). */
    claim: join(d, "claim.json"),
    /** Why the last run failed (a user error such as divergence); removed by the next run. */
    failed: join(d, "failed.json"),
    /** The last finished epoch, for followers of a batch job. */
    progress: join(d, "progress.json"),
  };
};

export interface CellFailure {
  readonly message: string;
  readonly at: string;
  readonly by: Holder;
  /** The batch system's log of the run, when there is one. */
  readonly log?: string;
}

export type CellOutcome =
  | { readonly kind: "done"; readonly record: RunRecord; readonly seconds: number }
  | { readonly kind: "finished-before" }
  | { readonly kind: "busy"; readonly holder: Holder }
  | { readonly kind: "failed"; readonly message: string };

export interface RunCellOptions {
  /** What trains the cell. */
  readonly experiments: ExperimentModule;
  readonly threads?: number;
  /** Who runs it: written into the claim. */
  readonly holder: Holder;
  readonly alive: Liveness;
  readonly progress?: ProgressReporter;
  readonly log?: string;
}

/**
 * Runs one cell of a sweep, from its checkpoint if it has one, unless it is finished or another
 * live runner has claimed it. The executors (local processes, batch tasks) all run cells here.
 */
export async function runCell(dir: string, manifest: SweepManifest, cell: Cell, options: RunCellOptions): Promise<CellOutcome> {
  const f = cellFiles(dir, cell.key);
  mkdirSync(f.dir, { recursive: true });
  if (cellFinished(dir, cell.key)) return { kind: "finished-before" };
  const claim = takeLock(f.claim, options.holder, options.alive);
  if (!claim.taken) return { kind: "busy", holder: claim.holder };
  try {
    // Finished by a runner that released its claim between our check and our claim.
    if (cellFinished(dir, cell.key)) return { kind: "finished-before" };
    rmSync(f.failed, { force: true });
    const t0 = performance.now();
    const record = await options.experiments.runExperiment(cellConfig(manifest.settings, cell, options.threads), { out: f.dir, resume: true, progress: options.progress });
    // The weights stay for nq eval; the checkpoint (weights and momenta) is no longer needed.
    rmSync(f.checkpoint, { force: true });
    rmSync(f.progress, { force: true });
    return { kind: "done", record, seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    const failure: CellFailure = { message: e.message, at: new Date().toISOString(), by: options.holder, ...(options.log ? { log: options.log } : {}) };
    writeJsonAtomic(f.failed, failure);
    return { kind: "failed", message: e.message };
  } finally {
    claim.release();
  }
}

/** The numbers of a cell's record that the sweep's statistics read. */
const RESULT_NUMBERS = ["a", "g", "seed", "shots", "testError1", "testError1Stderr", "testErrorK", "testErrorKStderr"] as const;

/**
 * Why a cell's result.json cannot be used ("not valid JSON", "testErrorK is missing"), or null
 * when it is a valid record. A corrupt result (a disk error, a hand edit) is not a finished cell.
 */
export function resultProblem(path: string): string | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ? `unreadable (${(e as NodeJS.ErrnoException).code})` : "not valid JSON";
  }
  if (raw === null || typeof raw !== "object") return "not a record";
  const r = raw as Record<string, unknown>;
  const bad = RESULT_NUMBERS.find((k) => typeof r[k] !== "number" || !Number.isFinite(r[k]));
  return bad ? `${bad} is ${r[bad] === undefined ? "missing" : JSON.stringify(r[bad])}` : null;
}

/** The cell's record when it has a valid result.json, else null (none, or a corrupt one). */
export function readCellResult(dir: string, key: string): RunRecord | null {
  const path = cellFiles(dir, key).result;
  return existsSync(path) && resultProblem(path) === null ? (JSON.parse(readFileSync(path, "utf8")) as RunRecord) : null;
}

/** A cell is finished when its result.json exists and is a valid record. */
export function cellFinished(dir: string, key: string): boolean {
  const path = cellFiles(dir, key).result;
  return existsSync(path) && resultProblem(path) === null;
}

/**
 * Sets a corrupt result.json aside (as result.json.corrupt, for a look) so the cell runs again;
 * returns what was wrong with it, or null when the cell has no result or a valid one.
 */
export function setAsideCorruptResult(dir: string, key: string): string | null {
  const path = cellFiles(dir, key).result;
  if (!existsSync(path)) return null;
  const problem = resultProblem(path);
  if (problem !== null) renameSync(path, `${path}.corrupt`);
  return problem;
}

export function readFailure(dir: string, key: string): CellFailure | null {
  const p = cellFiles(dir, key).failed;
  return existsSync(p) ? (readJson(p, "cell failure") as CellFailure) : null;
}

/** The cell's claim, when a live runner holds it. */
export function liveClaim(dir: string, key: string, alive: Liveness): Holder | null {
  try {
    const h = JSON.parse(readFileSync(cellFiles(dir, key).claim, "utf8")) as Holder;
    return alive(h) ? h : null;
  } catch {
    return null;
  }
}

/** The last finished epoch a batch task wrote for the cell, if any. */
export function readProgress(dir: string, key: string): CellProgress | null {
  try {
    return JSON.parse(readFileSync(cellFiles(dir, key).progress, "utf8")) as CellProgress;
  } catch {
    return null;
  }
}
