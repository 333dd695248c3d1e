import type { PluginOption, PluginOptionValues } from "@natural-quantization/core";
import { importPlugin } from "@natural-quantization/core/node";
import type { SweepExecutor } from "./executor.js";
import { LocalExecutor, type LocalOptions } from "./local.js";
import { processAlive, type Liveness } from "./lock.js";
import { SlurmExecutor, type SlurmExecutorOptions } from "./slurm/executor.js";
import { slurmTaskAlive } from "./slurm/queue.js";

/** Every executor's options; each takes its own part. */
export interface ExecutorOptions {
  readonly local: LocalOptions;
  readonly slurm: SlurmExecutorOptions;
  /** Values of the options a contributed executor declares for itself (ExecutorPlugin.options), by name. */
  readonly settings: PluginOptionValues;
}

interface ExecutorEntry {
  create(options: ExecutorOptions, alive: Liveness): SweepExecutor;
  /** Whether one of its tasks (by the id it gave the task's claim) still runs; undefined when it cannot tell. */
  taskAlive?(id: string): boolean | undefined;
}

/**
 * What an executor package exports (as `executor`), so that `--executor NAME` (a package installed
 * in the current directory, or a path to a module) runs cells elsewhere with no change to the sweep
 * engine or the CLI. It gets the options of the built-in executors and the values of its own, and
 * takes what it needs.
 */
export interface ExecutorPlugin extends ExecutorEntry {
  readonly name: string;
  readonly description: string;
  /**
   * Options of its own, which a front end offers beside the shared ones (`nq sweep --executor X
   * --its-option v`); `create` gets their values as options.settings. They are kept in the sweep
   * directory's executor.json, so take secrets from the environment, not from an option.
   */
  readonly options?: readonly PluginOption[];
}

/** The executors by name (`nq sweep --executor NAME`). A new engine is one more entry. */
export const EXECUTORS = {
  local: { create: (o, alive) => new LocalExecutor(o.local, alive) },
  slurm: { create: (o, alive) => new SlurmExecutor(o.slurm, alive), taskAlive: slurmTaskAlive },
} as const satisfies Record<string, ExecutorEntry>;

export type ExecutorName = keyof typeof EXECUTORS;
export const EXECUTOR_NAMES = Object.keys(EXECUTORS) as ExecutorName[];

/** Whether the holder of a claim still runs: a batch task by its engine, a process by its pid. */
export const holderAlive: Liveness = (h) => {
  const entry: ExecutorEntry | undefined = h.task ? (EXECUTORS as Record<string, ExecutorEntry>)[h.task.engine] : undefined;
  const answer = h.task ? entry?.taskAlive?.(h.task.id) : undefined;
  return answer ?? processAlive(h);
};

export function createExecutor(name: ExecutorName, options: ExecutorOptions): SweepExecutor {
  return EXECUTORS[name].create(options, holderAlive);
}

export function isExecutorName(name: string): name is ExecutorName {
  return Object.hasOwn(EXECUTORS, name);
}

/** An executor by name: a built-in one, else a package or module path exporting `executor`. */
export async function loadExecutor(name: string, cwd: string = process.cwd()): Promise<ExecutorPlugin> {
  if (isExecutorName(name)) return { name, description: `the built-in ${name} executor`, ...EXECUTORS[name] };
  return importPlugin(name, {
    kind: "executor",
    exportName: "executor",
    isPlugin: (v): v is ExecutorPlugin => typeof v === "object" && v !== null && typeof (v as ExecutorPlugin).create === "function",
    allowed: `${EXECUTOR_NAMES.join(", ")}, a package installed in the current directory, or a path to a module exporting \`executor\``,
    cwd,
  });
}
