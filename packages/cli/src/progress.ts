import { systemClock, UserError, type Clock, type JobState, type ProgressEvent, type ProgressReporter } from "@natural-quantization/core";
import type { DownloadEvent } from "@natural-quantization/datasets";

/** Where progress goes: stderr, or a fake stream in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  readonly stream?: ProgressStream;
  readonly clock?: Clock;
  /** Seconds between the plain lines written when the stream is not a terminal. */
  readonly intervalSeconds?: number;
}

/** Seconds between plain progress lines in a log (not a terminal), unless NQ_PROGRESS_SECONDS says otherwise. */
export const DEFAULT_PROGRESS_SECONDS = 15;
/** Milliseconds between redraws of the bar on a terminal. */
const REDRAW_MS = 100;
/** Milliseconds between heartbeats: they refresh elapsed time and ETA while nothing reports (a device job waits). */
const HEARTBEAT_MS = 1000;
const BAR_WIDTH = 20;

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

function rateText(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return "?";
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond >= 10 ? perSecond.toFixed(1) : perSecond.toFixed(2);
}

/** A measured step: `done` of `total` units since `started`. */
interface Task {
  readonly key: string;
  readonly label: string;
  readonly total: number;
  readonly unit: string;
  readonly started: number;
  done: number;
}

/** The latest state of a device job. */
interface Job {
  readonly name: string;
  readonly state: JobState;
  readonly since: number;
}

/**
 * Progress of long work on one stream (stderr in the CLI). On a terminal: one bar with rate and
 * ETA, redrawn in place at most every REDRAW_MS. Elsewhere (a log, Slurm output): the same facts as
 * one plain line whenever the log has been silent for the interval. Permanent lines (`line`) go
 * between them. Every call costs a clock read and a comparison unless output is due, so reporting
 * each batch costs nothing measurable.
 */
export class ProgressRenderer {
  readonly tty: boolean;
  private readonly stream: ProgressStream;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private context = "";
  private task: Task | null = null;
  private status: (() => string) | null = null;
  private job: Job | null = null;
  /** When output last went out: the bar's last draw on a terminal, the last line of any kind elsewhere. */
  private lastOutput: number;
  private barShown = false;
  private heartbeat: ReturnType<typeof setInterval> | null = null;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
    this.clock = options.clock ?? systemClock;
    const seconds = options.intervalSeconds ?? DEFAULT_PROGRESS_SECONDS;
    if (!(seconds > 0)) throw new RangeError(`progress interval must be > 0 seconds, got ${seconds}`);
    this.intervalMs = seconds * 1000;
    this.lastOutput = this.clock.now();
  }

  /** Text put before every progress line (which run of a bench, which cell of a study). */
  setContext(text: string): void {
    this.context = text;
  }

  /** Starts a measured step; its rate and ETA count from now. */
  begin(label: string, total: number, unit: string, key: string = label): void {
    this.task = { key, label, total, unit, started: this.clock.now(), done: 0 };
    this.status = null;
    if (this.tty) this.draw(this.clock.now());
  }

  /** The key of the current step, or null between steps. */
  get step(): string | null {
    return this.task?.key ?? null;
  }

  /** How far the current step is. */
  update(done: number): void {
    if (!this.task) return;
    this.task.done = done;
    this.maybeShow();
  }

  /** A status line that is not a measured step (a sweep's overall state); computed when shown. */
  setStatus(render: () => string): void {
    this.task = null;
    this.status = render;
    this.maybeShow();
  }

  /** A device job's state: shown beside the step, with the time since it entered that state. */
  jobState(name: string, state: JobState): void {
    const now = this.clock.now();
    if (this.job?.name !== name || this.job.state !== state) this.job = { name, state, since: now };
    this.maybeShow();
  }

  /** A permanent line (an epoch's summary, a device's cost): the bar is cleared first and redrawn after it. */
  line(text: string): void {
    this.clearBar();
    this.stream.write(`${text}\n`);
    const now = this.clock.now();
    if (this.tty) this.draw(now);
    else this.lastOutput = now;
  }

  /** Called every HEARTBEAT_MS by the heartbeat: shows progress that is due although nothing reported. */
  tick(): void {
    this.maybeShow();
  }

  /** Ends the current step and clears the bar (the step's result follows). */
  finish(): void {
    this.task = null;
    this.status = null;
    this.job = null;
    this.clearBar();
  }

  /** Refreshes elapsed time and ETA while nothing reports; the timer does not keep the process alive. */
  startHeartbeat(): this {
    this.heartbeat ??= setInterval(() => this.tick(), HEARTBEAT_MS);
    this.heartbeat.unref?.();
    return this;
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.finish();
  }

  /** The Trainer's and the device layer's events, rendered here; `epochLines: false` leaves out the per-epoch summary. */
  reporter(options: { readonly epochLines?: boolean } = {}): ProgressReporter {
    return new EventRenderer(this, options.epochLines ?? true);
  }

  /** The current line, or "" when there is nothing to show. */
  text(now: number = this.clock.now()): string {
    const job = this.job ? `${this.job.name} ${this.job.state} for ${duration((now - this.job.since) / 1000)}` : "";
    const t = this.task;
    let main = "";
    if (t) {
      const fraction = t.total > 0 ? Math.min(1, t.done / t.total) : 0;
      const seconds = (now - t.started) / 1000;
      const rate = seconds > 0 ? t.done / seconds : Number.NaN;
      const eta = t.done > 0 && rate > 0 ? (t.total - t.done) / rate : Number.NaN;
      const pct = `${Math.floor(100 * fraction)}%`;
      if (this.tty) {
        const filled = Math.round(fraction * BAR_WIDTH);
        const bar = `${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}`;
        main = `${t.label} ${bar} ${pct.padStart(4)} ${t.done}/${t.total} ${t.unit}, ${rateText(rate)}/s, ETA ${duration(eta)}`;
      } else {
        main = `${t.label}: ${pct} (${t.done}/${t.total} ${t.unit}) after ${duration(seconds)}, ${rateText(rate)} ${t.unit}/s, ${duration(eta)} left`;
      }
    } else if (this.status) main = this.status();
    if (!main && !job) return "";
    return `${this.context}${[main, job].filter(Boolean).join("; ")}`;
  }

  private maybeShow(): void {
    const now = this.clock.now();
    if (now - this.lastOutput < (this.tty ? REDRAW_MS : this.intervalMs)) return;
    if (this.tty) this.draw(now);
    else {
      const text = this.text(now);
      if (!text) return;
      this.stream.write(`${text}\n`);
      this.lastOutput = now;
    }
  }

  private draw(now: number): void {
    const text = this.text(now);
    if (!text) return;
    const width = Math.max(20, (this.stream.columns || 120) - 1); // 0 or unset: a terminal of unknown size
    this.stream.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    this.barShown = true;
    this.lastOutput = now;
  }

  private clearBar(): void {
    if (!this.barShown) return;
    this.stream.write("\r\x1b[2K");
    this.barShown = false;
  }
}

/** Core's progress events as steps of a renderer: each epoch's batches, each evaluation's passes, device jobs. */
class EventRenderer implements ProgressReporter {
  private epochs = 0;
  private batches = 0;

  constructor(
    private readonly out: ProgressRenderer,
    private readonly epochLines: boolean,
  ) {}

  report(e: ProgressEvent): void {
    switch (e.kind) {
      case "start":
        this.epochs = e.epochs;
        this.batches = e.batchesPerEpoch;
        if (e.startEpoch < e.epochs) this.beginEpoch(e.startEpoch, e.batchesPerEpoch);
        return;
      case "batch":
        this.beginEpoch(e.epoch, e.batches, false);
        this.out.update(e.batch);
        return;
      case "eval": {
        const key = `eval ${e.epoch}`;
        if (e.passes === 0 || this.out.step !== key) {
          const images = e.total / e.shots;
          const label = e.epoch === null ? `evaluating ${images} images x ${e.shots} shot${e.shots === 1 ? "" : "s"}` : `epoch ${e.epoch + 1}/${this.epochs} test error`;
          this.out.begin(label, e.total, e.shots === 1 ? "images" : "passes", key);
        }
        this.out.update(e.passes);
        if (e.passes >= e.total && e.epoch === null) this.out.finish();
        return;
      }
      case "epoch": {
        const m = e.metrics;
        if (this.epochLines) {
          const test = m.testError1 === null ? "" : ` test err(1-shot) ${(100 * m.testError1).toFixed(2)}%`;
          this.out.finish();
          this.out.line(`epoch ${m.epoch}/${e.epochs} loss ${m.loss.toFixed(4)} train err ${(100 * m.trainError).toFixed(2)}%${test} ${m.seconds.toFixed(1)}s/epoch, ${duration(e.etaSeconds)} left`);
        } else this.out.finish();
        if (m.epoch < e.epochs) this.beginEpoch(m.epoch, this.batches);
        return;
      }
      case "job":
        this.out.jobState(`hidden layer ${e.layer + 1} job ${e.job}/${e.jobs} ${e.id}`, e.state);
        return;
    }
  }

  private beginEpoch(epoch: number, batches: number, always = true): void {
    const key = `epoch ${epoch}`;
    if (!always && this.out.step === key) return;
    this.out.begin(`epoch ${epoch + 1}/${this.epochs}`, batches, "batches", key);
  }
}

/**
 * The CLI's progress on stderr, with its heartbeat running. NQ_PROGRESS_SECONDS sets the seconds
 * between plain lines when stderr is not a terminal.
 */
export function stderrProgress(env: NodeJS.ProcessEnv = process.env): ProgressRenderer {
  const raw = env.NQ_PROGRESS_SECONDS;
  const seconds = raw === undefined || raw === "" ? DEFAULT_PROGRESS_SECONDS : Number(raw);
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new UserError(`NQ_PROGRESS_SECONDS must be a number of seconds > 0, got "${raw}"; unset it for the default ${DEFAULT_PROGRESS_SECONDS}`);
  return new ProgressRenderer({ intervalSeconds: seconds }).startHeartbeat();
}

const megabytes = (bytes: number): string => (bytes / 1e6).toFixed(1);
// Last shown step per file: whole percent on a terminal, quarters in a log.
const shown = new Map<string, number>();

/** Dataset downloads on stderr: a live counter on a terminal, quarter steps in a log, and a line per retry and per verified file. */
export function printDownloadProgress(e: DownloadEvent, stream: NodeJS.WriteStream = process.stderr): void {
  const tty = stream.isTTY === true;
  if (e.kind === "progress") {
    const fraction = e.totalBytes ? e.receivedBytes / e.totalBytes : 0;
    const step = Math.floor(fraction * (tty ? 100 : 4));
    if (shown.get(e.file) === step) return;
    shown.set(e.file, step);
    const text = `downloading ${e.file}: ${megabytes(e.receivedBytes)}${e.totalBytes ? ` of ${megabytes(e.totalBytes)} MB (${Math.floor(fraction * 100)}%)` : " MB"}`;
    stream.write(tty ? `\r${text}` : `${text}\n`);
  } else if (e.kind === "wait") {
    stream.write(`${tty ? "\n" : ""}${e.message}\n`);
  } else if (e.kind === "retry") {
    stream.write(`${tty ? "\n" : ""}download of ${e.file} interrupted (${e.reason}); try ${e.attempt + 1} of ${e.attempts} in ${(e.delayMs / 1000).toFixed(1)}s\n`);
  } else {
    shown.delete(e.file);
    stream.write(`${tty ? "\r" : ""}downloaded ${e.file} (${megabytes(e.bytes)} MB, SHA-256 verified)\n`);
  }
}
