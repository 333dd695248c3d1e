import type { ProgressEvent, ProgressReporter } from "@natural-quantization/core";
import type { DownloadEvent } from "@natural-quantization/datasets";

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** Progress on stderr: a live batch counter on a terminal, one line per epoch always. */
export class StderrProgress implements ProgressReporter {
  private readonly tty = process.stderr.isTTY === true;
  constructor(private readonly label = "") {}

  report(e: ProgressEvent): void {
    const p = this.label ? `${this.label} ` : "";
    if (e.kind === "batch" && this.tty && (e.batch % 10 === 0 || e.batch === e.batches)) {
      process.stderr.write(`\r${p}epoch ${e.epoch + 1} batch ${e.batch}/${e.batches}`);
    } else if (e.kind === "epoch") {
      const m = e.metrics;
      const test = m.testError1 === null ? "" : ` test err(1-shot) ${(100 * m.testError1).toFixed(2)}%`;
      process.stderr.write(
        `${this.tty ? "\r" : ""}${p}epoch ${m.epoch}/${e.epochs} loss ${m.loss.toFixed(4)} train err ${(100 * m.trainError).toFixed(2)}%${test} ${m.seconds.toFixed(1)}s/epoch, ${duration(e.etaSeconds)} left\n`,
      );
    } else if (e.kind === "eval" && this.tty) {
      process.stderr.write(`\r${p}evaluating ${e.shots}-shot ${e.shot}/${e.shots}`);
      if (e.shot === e.shots) process.stderr.write("\n");
    }
  }
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
