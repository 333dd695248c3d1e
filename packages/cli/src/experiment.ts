// tsyringe needs the Reflect metadata API before it loads.
import "reflect-metadata";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { container, instanceCachingFactory, type DependencyContainer } from "tsyringe";
import {
  registerCore,
  silentProgress,
  UserError,
  Tokens,
  validateNetwork,
  validateTraining,
  type Dataset,
  type EpochMetrics,
  type NetworkSpec,
  type ProgressReporter,
  type TrainSpec,
  type Weights,
  type Checkpoint,
  assertResumableCheckpoint,
  type QubitLayer,
  datasetId,
  type PluginOptionValues,
} from "@natural-quantization/core";
import { loadCheckpoint, saveCheckpoint, writeJsonAtomic } from "@natural-quantization/core/node";
import { ensureDataset, loadDataset } from "@natural-quantization/datasets";
import { DEFAULT_BACKEND, loadBackend } from "./backends.js";
import { loadNeuron } from "./neurons.js";
import { printDownloadProgress } from "./progress.js";
import type { HardwareSettings, NoiseModel } from "@natural-quantization/hardware";
import { writing } from "./files.js";
import { loadHardware } from "./hardware-module.js";
import type { ExperimentConfig as SweepExperimentConfig, ExperimentModule, RunOptions, RunRecord } from "@natural-quantization/sweep";

/**
 * This module, built: what `nq sweep` hands its cell processes (an ExperimentModule). Under
 * vitest, which runs the sources, the built file in dist.
 */
export const EXPERIMENT_MODULE = import.meta.url.endsWith(".ts") ? new URL("../dist/experiment.js", import.meta.url).href : import.meta.url;

/** One training run: a sweep's experiment plus how its machine is composed (a device, simulated noise). */
export interface ExperimentConfig extends SweepExperimentConfig, MachineConfig {}

export type { RunOptions, RunRecord };

/** What a machine is composed from. */
export interface MachineConfig {
  readonly backend: string;
  readonly threads?: number;
  /** Settings of a device backend (`--backend hardware`). */
  readonly hardware?: HardwareSettings;
  /** Simulated device noise: the simulator's dense math with a noisy exact qubit layer. */
  readonly noise?: NoiseModel;
  /** Neuron model by name, package or path (default: the built-in "qubit"). */
  readonly neuron?: string;
  /** Values of the options the backend plugin declares for itself. */
  readonly settings?: PluginOptionValues;
}

/**
 * A DI container with the chosen backend, a progress reporter and the core bindings: the one
 * place the CLI composes a machine (train, eval, bench and backends all use it). A backend that
 * borrows dense math (hardware) gets the default simulator's.
 */
export async function composeMachine(config: MachineConfig, progress: ProgressReporter = silentProgress): Promise<DependencyContainer> {
  const plugin = await loadBackend(config.backend);
  const c = container.createChildContainer();
  const options = { ...(config.threads === undefined ? {} : { threads: config.threads }), ...(config.settings ? { settings: config.settings } : {}) };
  // Bound first: a device backend's qubit layer reports its jobs to it.
  c.register(Tokens.ProgressReporter, { useValue: progress });
  if (plugin.provides === "qubits") await (await loadBackend(DEFAULT_BACKEND)).register(c, options);
  if (config.hardware) c.register((await loadHardware()).HardwareTokens.Settings, { useValue: config.hardware });
  await plugin.register(c, options);
  if (plugin.provides === "dense") {
    const lender = await loadBackend(plugin.borrowsQubitsFrom ?? "sim-cpu");
    if (!lender.lendQubits) throw new UserError(`backend ${plugin.name} borrows its qubit layer from ${lender.name}, which lends none`);
    await lender.lendQubits(c);
  }
  if (config.neuron !== undefined) c.register(Tokens.NeuronModel, { useValue: await loadNeuron(config.neuron) });
  if (config.noise) {
    if (plugin.provides === "qubits") throw new UserError(`--noise simulates a device on a simulator; backend ${config.backend} runs on its own device (use --backend sim-wasm or sim-cpu)`);
    const { NoisyQubitLayer } = await loadHardware();
    c.register(Tokens.QubitLayer, { useValue: new NoisyQubitLayer(c.resolve(Tokens.DenseEngine), config.noise) });
  }
  registerCore(c);
  return c;
}

/** Ends what a device qubit layer keeps open between calls (a provider's session); nothing for a simulator. */
export async function closeQubitLayer(layer: QubitLayer): Promise<void> {
  await (layer as Partial<{ close(): Promise<void> }>).close?.();
}

/** Frees the machine of a container: its dense engine (qubit layers hold only JS memory, or are the engine itself). */
export function disposeMachine(c: DependencyContainer): void {
  c.resolve(Tokens.DenseEngine).dispose();
}

/** composeMachine plus the experiment's dataset. */
export async function compose(config: ExperimentConfig, progress: ProgressReporter = silentProgress): Promise<DependencyContainer> {
  // Downloads happen here, so that the Dataset factory below stays synchronous.
  await ensureDataset(config.dataset, { onProgress: printDownloadProgress });
  const c = await composeMachine(config, progress);
  c.register(Tokens.Dataset, {
    useFactory: instanceCachingFactory(() => loadDataset(config.dataset, { trainSize: config.trainSize, testSize: config.testSize })),
  });
  return c;
}

export function validateExperiment(config: ExperimentConfig): ExperimentConfig {
  return { ...config, network: validateNetwork(config.network), training: validateTraining(config.training) };
}

/** Before a sweep's cells run: the backend loads and the dataset is on disk (downloaded once, here). */
export async function prepareExperiment(config: Pick<ExperimentConfig, "backend" | "dataset">): Promise<void> {
  await loadBackend(config.backend);
  await ensureDataset(config.dataset, { onProgress: printDownloadProgress });
}

// This module is what `nq sweep` runs its cells with.
void ({ validateExperiment, prepareExperiment, runExperiment } satisfies ExperimentModule);

/** A network spec fitted to the dataset's input and class counts. */
export function fitNetwork(network: NetworkSpec, dataset: Dataset): NetworkSpec {
  return { ...network, inputSize: dataset.inputSize, outputSize: dataset.numClasses };
}

/** Weights file: a checkpoint-format file without optimizer state, readable by `nq eval`. */
export function saveWeights(path: string, network: NetworkSpec, training: TrainSpec, dataset: Dataset, weights: Weights, history: readonly EpochMetrics[]): void {
  saveCheckpoint(path, { network, training, dataset: datasetId(dataset), epoch: history.length, weights, velocities: null, history });
}

/**
 * Trains and evaluates one configuration. With `out`, writes checkpoint.json every epoch,
 * then weights.json, metrics.json and result.json (all atomically); with `resume`, continues
 * from out/checkpoint.json. A failed write throws a WriteError naming the file and the cause;
 * the previous checkpoint stays as it was (writes replace files by rename).
 */
export async function runExperiment(config: ExperimentConfig, options: RunOptions = {}): Promise<RunRecord> {
  const valid = validateExperiment(config);
  const ckPath = options.out !== undefined ? join(options.out, "checkpoint.json") : undefined;
  // The checkpoint is checked whole before any work: a bad one is refused, never trained on.
  const resume = options.resume && ckPath && existsSync(ckPath) ? loadCheckpoint(ckPath) : undefined;
  if (resume && ckPath) assertResumableCheckpoint(resume, ckPath);
  const c = await compose(valid, options.progress);
  const backendName = c.resolve(Tokens.DenseEngine).name;
  try {
    const dataset = c.resolve(Tokens.Dataset);
    const network = fitNetwork(valid.network, dataset);
    const trainer = c.resolve(Tokens.Trainer);
    let saved = resume?.epoch ?? 0;
    if (resume) options.onCheckpoint?.(resume.epoch);
    const kept = () => (saved > 0 ? `the checkpoint of epoch ${saved} is kept; fix the cause and continue with --resume` : "no epoch was saved");
    const onEpochEnd = ckPath
      ? (state: Checkpoint) => {
          writing(ckPath, () => saveCheckpoint(ckPath, state), kept());
          saved = state.epoch;
          options.onCheckpoint?.(state.epoch);
        }
      : undefined;
    const result = await trainer.train({ network, training: valid.training, dataset, onEpochEnd, resume });
    const ev = await trainer.evaluate({ network, weights: result.weights, split: dataset.test, shots: valid.training.shots, seed: valid.training.seed });
    const record: RunRecord = {
      backend: backendName,
      dataset: dataset.name,
      a: network.neuron.a,
      g: network.neuron.g,
      activation: network.neuron.activation,
      width: network.width,
      depth: network.depth,
      bias: network.bias,
      epochs: valid.training.epochs,
      batch: valid.training.batch,
      lr: valid.training.lr,
      momentum: valid.training.momentum,
      seed: valid.training.seed,
      shots: valid.training.shots,
      trainSize: dataset.train.n,
      testSize: dataset.test.n,
      testError1: ev.oneShot.error,
      testError1Stderr: ev.oneShot.stderr,
      testErrorK: ev.kShot.error,
      testErrorKStderr: ev.kShot.stderr,
      epochSeconds: result.history.map((h) => h.seconds),
      trainSeconds: result.trainSeconds,
      evalSeconds: ev.seconds,
      history: result.history,
    };
    if (options.out !== undefined) {
      const out = options.out;
      writing(join(out, "weights.json"), () => saveWeights(join(out, "weights.json"), network, valid.training, dataset, result.weights, result.history), kept());
      writing(join(out, "metrics.json"), () => writeJsonAtomic(join(out, "metrics.json"), result.history), kept());
      writing(join(out, "result.json"), () => writeJsonAtomic(join(out, "result.json"), record), kept());
    }
    return record;
  } finally {
    disposeMachine(c);
  }
}
