import { spawnSync } from "node:child_process";
import { UserError } from "@natural-quantization/core";

/** Task states that will still run or are running: the task holds its cell. */
const PENDING = new Set(["PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SPECIAL_EXIT", "CONFIGURING"]);
const RUNNING = new Set(["RUNNING", "COMPLETING", "SUSPENDED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED"]);

export type TaskPhase = "pending" | "running" | "ended";

export function taskPhase(state: string): TaskPhase {
  return PENDING.has(state) ? "pending" : RUNNING.has(state) ? "running" : "ended";
}

type CommandResult = { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly missing: boolean; readonly message: string };

/** Runs a Slurm client command; never throws. */
export function slurmCommand(command: string, args: readonly string[], input?: string): CommandResult {
  const r = spawnSync(command, args, { encoding: "utf8", input, timeout: 60_000 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === "ENOENT";
    return { ok: false, missing, message: missing ? `${command} is not on PATH` : r.error.message };
  }
  if (r.status !== 0) return { ok: false, missing: false, message: (r.stderr || r.stdout || `exit status ${r.status}`).trim().split("\n")[0] };
  return { ok: true, stdout: r.stdout };
}

const NOT_REACHABLE = "--executor slurm needs the Slurm client commands (sbatch, squeue) of a running cluster";

/** Submits a batch script; returns the job id. */
export function sbatch(scriptPath: string): string {
  const r = slurmCommand("sbatch", ["--parsable", scriptPath]);
  if (!r.ok) throw new UserError(r.missing ? `sbatch is not on PATH: ${NOT_REACHABLE}` : `sbatch refused ${scriptPath}: ${r.message}`);
  // --parsable prints "jobid" or "jobid;cluster".
  const id = r.stdout.trim().split(";")[0];
  if (!/^\d+$/.test(id)) throw new UserError(`sbatch printed no job id for ${scriptPath}: ${JSON.stringify(r.stdout.trim())}`);
  return id;
}

/** "12_3" -> state, for the array tasks of the given jobs that Slurm still lists (squeue -t all: also recently ended ones). */
export function queueStates(jobIds: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (jobIds.length === 0) return out;
  const r = slurmCommand("squeue", ["-h", "-r", "-t", "all", "-j", jobIds.join(","), "-o", "%i|%T"]);
  if (!r.ok) {
    // All of them purged from the controller's memory: "Invalid job id specified".
    if (/invalid job id/i.test(r.message)) return out;
    throw new UserError(r.missing ? `squeue is not on PATH: ${NOT_REACHABLE}` : `squeue failed: ${r.message}`);
  }
  for (const line of r.stdout.split("\n")) {
    const [id, state] = line.trim().split("|");
    if (id && state) out.set(id, state);
  }
  return out;
}

/** States from Slurm's accounting (sacct), which remembers ended tasks; empty where accounting is off. */
export function accountingStates(jobIds: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (jobIds.length === 0) return out;
  const r = slurmCommand("sacct", ["-n", "-P", "-X", "-j", jobIds.join(","), "-o", "JobID,State"]);
  if (!r.ok) return out;
  for (const line of r.stdout.split("\n")) {
    const [id, state] = line.trim().split("|");
    // "CANCELLED by 0" -> CANCELLED
    if (id && state) out.set(id, state.split(" ")[0]);
  }
  return out;
}

/** Whether array task "12_3" still holds its cell; undefined when Slurm cannot be asked. */
export function slurmTaskAlive(id: string): boolean | undefined {
  const jobId = id.split("_")[0];
  let states: Map<string, string>;
  try {
    states = queueStates([jobId]);
  } catch {
    return undefined;
  }
  const state = states.get(id);
  return state !== undefined && taskPhase(state) !== "ended";
}
