import type { ProgressEvent, ProgressReporter } from "@natural-quantization/core";

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
