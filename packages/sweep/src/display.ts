import type { RunRecord } from "./experiment.js";
import { formatG, type Cell } from "./grid.js";

export interface CellProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly phase: "train" | "eval";
  /** Of the whole cell, 0..1 (evaluation counts as one more epoch). */
  readonly fraction: number;
}

/** What the sweep tells its user while it runs. */
export interface SweepDisplay {
  begin(info: { total: number; finished: number; slots: number; threads: number; backend: string; dir: string }): void;
  started(cell: Cell): void;
  progress(cell: Cell, p: CellProgress): void;
  finished(cell: Cell, record: RunRecord, seconds: number): void;
  failed(cell: Cell, message: string): void;
  end(): void;
}

export const silentDisplay: SweepDisplay = { begin() {}, started() {}, progress() {}, finished() {}, failed() {}, end() {} };

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

const cellName = (c: Cell) => `a=${c.a} g=${formatG(c.g)} seed=${c.seed}`;
const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

interface Running {
  readonly cell: Cell;
  readonly since: number;
  progress: CellProgress | null;
}

/**
 * Where a sweep display writes: permanent lines, and one status line computed when shown. The
 * CLI passes its progress renderer (a bar on a terminal, periodic lines in a log); the default
 * redraws the status line in place on a terminal and shows it nowhere else.
 */
export interface StatusOutput {
  line(text: string): void;
  setStatus(render: () => string): void;
  /** Something changed: show the status if it is due. */
  tick(): void;
  close(): void;
}

/** The default output: stderr, the status line redrawn at most every 200 ms on a terminal only. */
class TerminalStatus implements StatusOutput {
  private readonly tty: boolean;
  private render: (() => string) | null = null;
  private lastDraw = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = stream.isTTY === true;
  }

  line(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
    this.draw(true);
  }

  setStatus(render: () => string): void {
    this.render = render;
  }

  tick(): void {
    this.draw(false);
  }

  close(): void {
    this.clear();
  }

  private draw(force: boolean): void {
    if (!this.tty || !this.render) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const line = this.render();
    const width = this.stream.columns ?? 120;
    this.stream.write(`\r\x1b[2K${line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line}`);
  }

  private clear(): void {
    if (this.tty) this.stream.write("\r\x1b[2K");
  }
}

/**
 * One overall status line (cells done, each running cell's epoch, time left) and one line per
 * finished cell, on a StatusOutput (default: stderr, the status redrawn in place on a terminal).
 */
export class StderrSweepDisplay implements SweepDisplay {
  private total = 0;
  private done = 0;
  private slots = 1;
  private readonly running = new Map<string, Running>();
  /** Durations of the cells finished in this session: the basis of the estimate. */
  private readonly durations: number[] = [];

  constructor(private readonly out: StatusOutput = new TerminalStatus()) {}

  begin(info: { total: number; finished: number; slots: number; threads: number; backend: string; dir: string }): void {
    this.total = info.total;
    this.done = info.finished;
    this.slots = info.slots;
    const skipped = info.finished > 0 ? `, ${info.finished} already finished` : "";
    this.out.line(`sweep: ${info.total} cells${skipped} in ${info.dir}; ${info.slots} at a time on ${info.backend} (${info.threads} thread${info.threads === 1 ? "" : "s"} each)`);
    this.out.setStatus(() => this.statusLine());
  }

  started(cell: Cell): void {
    this.running.set(cell.key, { cell, since: performance.now(), progress: null });
    this.out.tick();
  }

  progress(cell: Cell, p: CellProgress): void {
    const r = this.running.get(cell.key);
    if (r) r.progress = p;
    this.out.tick();
  }

  finished(cell: Cell, record: RunRecord, seconds: number): void {
    const r = this.running.get(cell.key);
    this.running.delete(cell.key);
    this.done++;
    this.durations.push(r ? (performance.now() - r.since) / 1000 : seconds);
    this.out.line(`[${this.done}/${this.total}] ${cellName(cell)}: 1-shot ${pct(record.testError1)}, ${record.shots}-shot ${pct(record.testErrorK)} (${seconds < 10 ? `${seconds.toFixed(1)}s` : duration(seconds)}); ${this.leftText()}`);
  }

  failed(cell: Cell, message: string): void {
    this.running.delete(cell.key);
    this.done++;
    this.out.line(`[${this.done}/${this.total}] ${cellName(cell)}: FAILED: ${message}`);
  }

  end(): void {
    this.out.close();
  }

  /** Seconds left: pending and running cells at the mean duration so far, shared among the slots. */
  eta(): number {
    const now = performance.now();
    let per = this.durations.length > 0 ? this.durations.reduce((s, v) => s + v, 0) / this.durations.length : Number.NaN;
    if (Number.isNaN(per)) {
      // No cell finished yet: extrapolate from the running ones' progress.
      const est = [...this.running.values()].filter((r) => (r.progress?.fraction ?? 0) > 0.02).map((r) => (now - r.since) / 1000 / r.progress!.fraction);
      if (est.length === 0) return Number.NaN;
      per = est.reduce((s, v) => s + v, 0) / est.length;
    }
    const waiting = this.total - this.done - this.running.size;
    let left = waiting * per;
    for (const r of this.running.values()) left += Math.max(0, per * (1 - (r.progress?.fraction ?? 0)));
    return left / Math.max(1, this.slots);
  }

  private leftText(): string {
    const eta = this.eta();
    return Number.isFinite(eta) ? `${duration(eta)} left` : "estimating time left";
  }

  private statusLine(): string {
    const parts = [...this.running.values()].map((r) => {
      const p = r.progress;
      const what = !p ? "starting" : p.phase === "eval" ? "evaluating" : `epoch ${Math.max(1, p.epoch)}/${p.epochs}`;
      return `${cellName(r.cell)} ${what}`;
    });
    // Time left first: a narrow terminal cuts the end of the line.
    return `sweep ${this.done}/${this.total} done, ${this.leftText()}${parts.length > 0 ? ` | ${parts.join(", ")}` : ""}`;
  }
}
