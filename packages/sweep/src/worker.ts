// A child process that runs one sweep cell: forked by the sweep, it talks over IPC only.
import { UserError, type ProgressEvent, type ProgressReporter } from "@natural-quantization/core";
import { runCell } from "./cell.js";
import { loadExperimentModule } from "./experiment.js";
import { holderAlive } from "./executors.js";
import { expandCells } from "./grid.js";
import { describeHolder, thisProcess } from "./lock.js";
import type { RunMessage, WorkerMessage } from "./protocol.js";
import { readManifest } from "./runner.js";

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
    } else if (e.kind === "eval" && e.epoch === null) {
      // The final evaluation (the per-epoch test error is part of its epoch).
      m = { type: "progress", epoch: this.epochs, epochs: this.epochs, phase: "eval", fraction: (this.epochs + e.passes / e.total) / (this.epochs + 1) };
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
async function run(msg: RunMessage): Promise<WorkerMessage> {
  const manifest = readManifest(msg.dir);
  const cell = manifest && expandCells(manifest.grids).find((c) => c.key === msg.key);
  if (!manifest || !cell) throw new Error(`cell ${msg.key} is not in the sweep ${msg.dir}`);
  const experiments = await loadExperimentModule(msg.experiments);
  const outcome = await runCell(msg.dir, manifest, cell, { experiments, threads: msg.threads, holder: thisProcess(), alive: holderAlive, progress: new IpcProgress() });
  switch (outcome.kind) {
    case "done":
      return { type: "done", seconds: outcome.seconds };
    case "finished-before":
      return { type: "done", seconds: 0 };
    case "busy":
      return { type: "busy", holder: describeHolder(outcome.holder) };
    case "failed":
      return { type: "error", message: outcome.message, user: true };
  }
}

process.once("message", (msg: RunMessage) => {
  run(msg)
    .then((m) => send(m))
    .then(() => process.exit(0))
    .catch(async (e: unknown) => {
      if (e instanceof Orphaned) process.exit(1);
      const err = e instanceof Error ? e : new Error(String(e));
      await send({ type: "error", message: err.message, user: e instanceof UserError, stack: err.stack });
      process.exit(1);
    });
});
