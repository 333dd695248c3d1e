import { existsSync } from "node:fs";
import { UserError } from "@natural-quantization/core";
import { cellFiles, readProgress } from "./cell.js";
import type { SweepExecutor } from "./executor.js";
import { formatG, expandCells, type Cell } from "./grid.js";
import { readManifest, readRecords, type SweepManifest } from "./runner.js";

export type CellState = "pending" | "running" | "done" | "failed";

export interface CellStatus {
  readonly cell: Cell;
  /** Its index in the sweep (a Slurm array task id). */
  readonly index: number;
  readonly state: CellState;
  readonly detail: string;
  readonly log?: string;
}

export interface SweepStatus {
  readonly dir: string;
  readonly manifest: SweepManifest;
  readonly executor: string;
  readonly cells: readonly CellStatus[];
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

/** Every cell of a sweep directory as done (result file), or as its executor sees it. */
export async function sweepStatus(dir: string, executor: SweepExecutor): Promise<SweepStatus> {
  const manifest = readManifest(dir);
  if (!manifest) throw new UserError(`${dir} is not a sweep directory (no sweep.json)`);
  const cells = expandCells(manifest.grids);
  const records = new Map(readRecords(dir, cells).map((r) => [r.key, r]));
  const engine = await executor.inspect(dir, cells);
  const out = cells.map((cell, index): CellStatus => {
    const r = records.get(cell.key);
    if (r) return { cell, index, state: "done", detail: `1-shot ${pct(r.testError1)}, ${r.shots}-shot ${pct(r.testErrorK)}` };
    const s = engine.get(cell.key);
    if (!s) {
      const partial = existsSync(cellFiles(dir, cell.key).checkpoint) ? "interrupted, resumes from its checkpoint; " : "";
      return { cell, index, state: "pending", detail: `${partial}not queued: re-run the sweep command to run it` };
    }
    const p = s.state === "running" ? readProgress(dir, cell.key) : null;
    const detail = p ? `${s.detail}, epoch ${p.epoch}/${p.epochs} done` : s.detail;
    return { cell, index, state: s.state, detail, ...(s.log ? { log: s.log } : {}) };
  });
  return { dir, manifest, executor: executor.name, cells: out };
}

/** One line per cell, then the counts. */
export function statusLines(st: SweepStatus): string[] {
  const count = (s: CellState) => st.cells.filter((c) => c.state === s).length;
  const lines = st.cells.map((c) => {
    const name = `a=${c.cell.a} g=${formatG(c.cell.g)} seed=${c.cell.seed}`;
    const log = c.log && c.state === "failed" ? `; log: ${c.log}` : "";
    return `${String(c.index).padStart(4)}  ${name.padEnd(32)} ${c.state.padEnd(8)} ${c.detail}${log}`;
  });
  const total = st.cells.length;
  lines.push(`${st.dir} (${st.executor}): ${total} cells: ${count("done")} done, ${count("running")} running, ${count("pending")} pending, ${count("failed")} failed`);
  return lines;
}
