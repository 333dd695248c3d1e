// A child process that runs one sweep cell: forked by the sweep, it talks over IPC only.
import "reflect-metadata";
import { UserError, type ProgressEvent, type ProgressReporter } from "@natural-quantization/core";
import { runExperiment } from "../experiment.js";
import type { RunMessage, WorkerMessage } from "./protocol.js";

const send = (m: WorkerMessage) => new Promise<void>((resolve) => (process.connected ? process.send!(m, undefined, {}, () => resolve()) : resolve()));

class Orphaned extends Error {}

/** Forwards progress to the parent at most 4 times a second; stops the run if the parent is gone. */
class IpcProgress implements ProgressReporter {
  private epochs = 1;
  private last = 0;
  report(e: ProgressEvent): void {
    // The parent died (e.g. SIGKILL): stop, so no orphan keeps writing into the sweep directory.
    if (!process.connected) throw new Orphaned();
    let m: WorkerMessage | null = null;
    if (e.kind === "start") {
      this.epochs = Math.max(1, e.epochs);
      m = { type: "progress", epoch: e.startEpoch, epochs: e.epochs, phase: "train", fraction: e.startEpoch / (e.epochs + 1) };
    } else if (e.kind === "batch") {
      m = { type: "progress", epoch: e.epoch + 1, epochs: this.epochs, phase: "train", fraction: (e.epoch + e.batch / e.batches) / (this.epochs + 1) };
    } else if (e.kind === "epoch") {
      m = { type: "progress", epoch: e.metrics.epoch, epochs: e.epochs, phase: "train", fraction: e.metrics.epoch / (e.epochs + 1) };
    } else if (e.kind === "eval") {
      m = { type: "progress", epoch: this.epochs, epochs: this.epochs, phase: "eval", fraction: (this.epochs + e.shot / e.shots) / (this.epochs + 1) };
    }
    const now = Date.now();
    if (m && (e.kind !== "batch" || now - this.last >= 250)) {
      this.last = now;
      process.send!(m);
    }
  }
}

process.on("disconnect", () => process.exit(1));
// Ctrl-C reaches the whole process group: the sweep stops its workers itself, and reports once.
process.on("SIGINT", () => {});
process.once("message", (msg: RunMessage) => {
  const t0 = performance.now();
  runExperiment(msg.config, { out: msg.out, resume: true, progress: new IpcProgress() })
    .then(() => send({ type: "done", seconds: (performance.now() - t0) / 1000 }))
    .then(() => process.exit(0))
    .catch(async (e: unknown) => {
      if (e instanceof Orphaned) process.exit(1);
      const err = e instanceof Error ? e : new Error(String(e));
      await send({ type: "error", message: err.message, user: e instanceof UserError, stack: err.stack });
      process.exit(1);
    });
});
