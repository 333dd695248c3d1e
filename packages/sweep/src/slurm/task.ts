// One Slurm array task of `nq sweep --executor slurm`: runs the cell whose index is the task id,
// into the shared sweep directory. Usage (from the generated batch script): node task.js DIR INDEX EXPERIMENT_MODULE
import { existsSync } from "node:fs";
import { type ProgressEvent, type ProgressReporter } from "@natural-quantization/core";
import { writeJsonAtomic } from "@natural-quantization/core/node";
import { cellFiles, runCell } from "../cell.js";
import { loadExperimentModule } from "../experiment.js";
import type { CellProgress } from "../display.js";
import { holderAlive } from "../executors.js";
import { expandCells } from "../grid.js";
import { describeHolder, thisProcess } from "../lock.js";
import { readManifest } from "../runner.js";
import { taskLog } from "./executor.js";

/** Writes the cell's last finished epoch to progress.json, for `--wait` and `nq sweep status`. */
class FileProgress implements ProgressReporter {
  constructor(private readonly path: string) {}
  report(e: ProgressEvent): void {
    if (e.kind === "start") say(`training epochs ${e.startEpoch + 1} to ${e.epochs}`);
    if (e.kind !== "epoch") return;
    const p: CellProgress = { epoch: e.metrics.epoch, epochs: e.epochs, phase: "train", fraction: e.metrics.epoch / (e.epochs + 1) };
    writeJsonAtomic(this.path, p);
  }
}

const say = (text: string) => process.stdout.write(`nq sweep task: ${text}\n`);

async function main(): Promise<number> {
  const [dir, indexText, experimentsUrl] = process.argv.slice(2);
  const env = process.env;
  const jobId = env.SLURM_ARRAY_JOB_ID ?? env.SLURM_JOB_ID ?? "none";
  const taskId = env.SLURM_ARRAY_TASK_ID ?? indexText;
  const manifest = dir ? readManifest(dir) : null;
  if (!dir || !manifest || !experimentsUrl) throw new Error(`usage: task.js SWEEP_DIR INDEX EXPERIMENT_MODULE; ${dir ?? "(none)"} ${manifest ? "" : "holds no sweep.json"}`);
  const cells = expandCells(manifest.grids);
  const index = Number(indexText);
  const cell = Number.isInteger(index) ? cells[index] : undefined;
  if (!cell) throw new Error(`cell index ${indexText} is out of range: the sweep has cells 0 to ${cells.length - 1}`);
  const threads = Math.max(1, Number(env.SLURM_CPUS_PER_TASK ?? "1") || 1);
  const restarts = Number(env.SLURM_RESTART_COUNT ?? "0");
  const id = `${jobId}_${taskId}`;
  const resuming = existsSync(cellFiles(dir, cell.key).checkpoint) && !existsSync(cellFiles(dir, cell.key).result);
  const restarted = restarts > 0 ? `, restart ${restarts}` : "";
  say(`cell ${index} ${cell.key} as slurm task ${id}${restarted}, ${threads} thread${threads === 1 ? "" : "s"}${resuming ? "; resuming from its checkpoint" : ""}`);
  const outcome = await runCell(dir, manifest, cell, {
    experiments: await loadExperimentModule(experimentsUrl),
    threads,
    holder: thisProcess({ task: { engine: "slurm", id } }),
    alive: holderAlive,
    progress: new FileProgress(cellFiles(dir, cell.key).progress),
    log: taskLog(dir, id),
  });
  switch (outcome.kind) {
    case "done":
      say(`done in ${outcome.seconds.toFixed(1)} s: 1-shot error ${outcome.record.testError1}, ${outcome.record.shots}-shot ${outcome.record.testErrorK}`);
      return 0;
    case "finished-before":
      say("already finished; nothing to do");
      return 0;
    case "busy":
      say(`being run by ${describeHolder(outcome.holder)}; this duplicate exits without running it`);
      return 0;
    case "failed":
      say(`FAILED: ${outcome.message}`);
      return 1;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
