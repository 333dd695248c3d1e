import type { EpochMetrics, NetworkSpec, PluginOptionValues, ProgressReporter, TrainSpec } from "@natural-quantization/core";

/** One training run of a sweep cell: the dataset, the network, the training, and the backend by name. */
export interface ExperimentConfig {
  readonly dataset: string;
  /** Undefined: every row, or the dataset's own default. */
  readonly trainSize?: number;
  readonly testSize?: number;
  readonly network: NetworkSpec;
  readonly training: TrainSpec;
  /** The backend plugin's name (`sim-wasm`, a package, a path), composed by the experiment module. */
  readonly backend: string;
  readonly threads?: number;
  /** Values of the options the backend plugin declares for itself (BackendPlugin.options), by name. */
  readonly settings?: PluginOptionValues;
}

/** One finished training run: what a sweep stores per cell (and `nq train --json` prints). */
export interface RunRecord {
  readonly backend: string;
  readonly dataset: string;
  readonly a: number;
  readonly g: number;
  readonly activation: string;
  readonly width: number;
  readonly depth: number;
  readonly bias: boolean;
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  readonly momentum: number;
  readonly seed: number;
  readonly shots: number;
  readonly trainSize: number;
  readonly testSize: number;
  readonly testError1: number;
  readonly testError1Stderr: number;
  readonly testErrorK: number;
  readonly testErrorKStderr: number;
  readonly epochSeconds: number[];
  readonly trainSeconds: number;
  readonly evalSeconds: number;
  readonly history: EpochMetrics[];
}

export interface RunOptions {
  /** The run's directory: checkpoint.json every epoch, then weights.json, metrics.json and result.json. */
  readonly out?: string;
  /** Continue from out/checkpoint.json when it exists. */
  readonly resume?: boolean;
  readonly progress?: ProgressReporter;
  /** Called after each checkpoint is safely on disk, with the epochs it holds. */
  readonly onCheckpoint?: (epoch: number) => void;
}

/**
 * How a sweep runs its cells: a module (named by URL or package specifier, because cells run in
 * other processes: forked workers, Slurm tasks) that exports these three functions. The sweep
 * engine knows nothing of backends or datasets beyond it. `@natural-quantization/cli/experiment`
 * is the one `nq sweep` uses: it composes backends by name through the DI container.
 */
export interface ExperimentModule {
  /** The config with its network and training checked (a one-line error otherwise). */
  validateExperiment(config: ExperimentConfig): ExperimentConfig;
  /** Everything a cell needs before it runs, done once by the sweep: the backend loads, the dataset is on disk. */
  prepareExperiment(config: Pick<ExperimentConfig, "backend" | "dataset">): Promise<void>;
  /** Trains and evaluates one cell, writing its files into `options.out`. */
  runExperiment(config: ExperimentConfig, options: RunOptions): Promise<RunRecord>;
}

/** Imports an experiment module and checks that it has the three functions. */
export async function loadExperimentModule(specifier: string): Promise<ExperimentModule> {
  const mod = (await import(specifier)) as Partial<ExperimentModule>;
  for (const name of ["validateExperiment", "prepareExperiment", "runExperiment"] as const) {
    if (typeof mod[name] !== "function") throw new TypeError(`experiment module ${specifier} does not export ${name}()`);
  }
  return mod as ExperimentModule;
}
