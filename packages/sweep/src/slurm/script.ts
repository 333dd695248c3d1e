import { ConfigError } from "@natural-quantization/core";

/** How each array task is requested from Slurm. */
export interface SlurmOptions {
  readonly partition?: string;
  /** Time limit per task, in a form sbatch accepts: "90", "1:30:00", "2-00:00:00". */
  readonly time?: string;
  /** CPUs per task; the cell uses this many backend threads. */
  readonly cpusPerTask: number;
  /** Memory per task, e.g. "4G". */
  readonly mem?: string;
  readonly account?: string;
  /** The largest number of tasks running at once (the array's %N). */
  readonly maxTasks?: number;
  /** Further sbatch options, one per line, e.g. "--qos=short". */
  readonly extra: readonly string[];
}

const NAME = /^[A-Za-z0-9_.,+-]+$/;
const TIME = /^(\d+-)?\d+(:\d{1,2}){0,2}$|^\d+-\d+$/;
const MEM = /^\d+[KMGT]?$/i;

/** Checks the values that go into #SBATCH lines (no spaces or newlines: nothing but the option). */
export function validateSlurmOptions(o: SlurmOptions): SlurmOptions {
  if (o.partition !== undefined && !NAME.test(o.partition)) throw new ConfigError("partition", o.partition, "a partition name (letters, digits, _ . , + -)");
  if (o.account !== undefined && !NAME.test(o.account)) throw new ConfigError("account", o.account, "an account name (letters, digits, _ . , + -)");
  if (o.time !== undefined && !TIME.test(o.time)) throw new ConfigError("time", o.time, "minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS");
  if (o.mem !== undefined && !MEM.test(o.mem)) throw new ConfigError("mem", o.mem, "a size such as 4000 (MB), 500M or 4G");
  for (const line of o.extra) {
    if (!/^--?[A-Za-z]/.test(line) || /[\n\r]/.test(line)) throw new ConfigError("sbatch", line, "an sbatch option such as --qos=short (one per --sbatch)");
  }
  return o;
}

/** Array indices as sbatch's --array wants them: runs collapsed, "0-3,7,9-10", plus "%N". */
export function arraySpec(indices: readonly number[], maxTasks?: number): string {
  const sorted = [...new Set(indices)].sort((x, y) => x - y);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",") + (maxTasks === undefined ? "" : `%${maxTasks}`);
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface ScriptInput {
  readonly dir: string;
  readonly logDir: string;
  readonly indices: readonly number[];
  readonly options: SlurmOptions;
  /** The node binary and the task script, by absolute path: the cluster's nodes share the file system. */
  readonly node: string;
  readonly task: string;
  /** The experiment module the task trains its cell with (RunSweepOptions.experiments). */
  readonly experiments: string;
  readonly cells: number;
}

/** The batch script of one submission: an array job, one task per cell index. */
export function batchScript(s: ScriptInput): string {
  const o = s.options;
  const lines = [
    "#!/bin/bash",
    `# nq sweep: ${s.indices.length} of the ${s.cells} cells of ${s.dir}, one Slurm array task per cell (the task id is the cell's index).`,
    "# Rerunnable by hand (sbatch this-file): a task whose cell is finished, or being run by another task, exits at once.",
    "#SBATCH --job-name=nq-sweep",
    `#SBATCH --array=${arraySpec(s.indices, o.maxTasks)}`,
    `#SBATCH --output=${s.logDir}/%A_%a.log`,
    "#SBATCH --open-mode=append",
    "#SBATCH --ntasks=1",
    `#SBATCH --cpus-per-task=${o.cpusPerTask}`,
    // A preempted or requeued task starts again and resumes its cell from the last epoch's checkpoint.
    "#SBATCH --requeue",
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
    ...(o.mem ? [`#SBATCH --mem=${o.mem}`] : []),
    ...(o.account ? [`#SBATCH --account=${o.account}`] : []),
    ...o.extra.map((line) => `#SBATCH ${line}`),
    "",
    `exec ${quote(s.node)} ${quote(s.task)} ${quote(s.dir)} "$SLURM_ARRAY_TASK_ID" ${quote(s.experiments)}`,
    "",
  ];
  return lines.join("\n");
}
