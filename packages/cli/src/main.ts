// tsyringe needs the Reflect metadata API before it loads.
import "reflect-metadata";
import { Command, CommanderError, Option } from "commander";
import { container } from "tsyringe";
import {
  loadCheckpoint,
  PAPER_NETWORK,
  PAPER_TRAINING,
  registerCore,
  Tokens,
  UserError,
  validateNeuron,
  type Activation,
} from "@natural-quantization/core";
import { DATASET_NAMES, loadDataset } from "@natural-quantization/datasets";
import { DEFAULT_BACKEND, installedBackends, KNOWN_BACKENDS, loadBackend } from "./backends.js";
import { runExperiment, type ExperimentConfig, type RunRecord } from "./experiment.js";
import { parseInteger, parseIntegerList, parseNumber } from "./parse.js";
import { StderrProgress } from "./progress.js";
import { formatTable } from "./table.js";
import { registerSweepCommands } from "./sweep/index.js";
import { benchInChildren, runBench, type BenchResult } from "./bench.js";

/** Default epochs: the paper trains 100; 5 finishes in minutes and already separates the regimes. */
export const DEFAULT_EPOCHS = 5;

export interface CommonOptions {
  backend: string;
  threads?: string;
  shots: string;
  testSize: string;
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
  trainSize: string;
  dataset: string;
  out?: string;
  resume?: boolean;
}

function commonOptions(cmd: Command): Command {
  return cmd
    .option("--backend <name>", `backend: ${Object.keys(KNOWN_BACKENDS).join(", ")}, or an installed package exporting \`backend\``, DEFAULT_BACKEND)
    .option("--threads <n>", "threads for backends that use them (default: all cores)")
    .option("--shots <k>", "k of the k-shot majority-vote evaluation", String(PAPER_TRAINING.shots))
    .option("--test-size <n>", "test images", "5000")
    .option("--seed <n>", "seed of every random stream (unsigned 32-bit)", String(PAPER_TRAINING.seed))
    .option("--json", "print one JSON object on stdout at the end");
}

export function trainConfig(o: TrainCliOptions): ExperimentConfig {
  return {
    backend: o.backend,
    threads: o.threads === undefined ? undefined : parseInteger("threads", o.threads, 1, 256),
    dataset: o.dataset,
    trainSize: parseInteger("train-size", o.trainSize, 1),
    testSize: parseInteger("test-size", o.testSize, 1),
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

export function trainOptions(cmd: Command): Command {
  return commonOptions(cmd)
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
    .option("--train-size <n>", "training images", "5000")
    .option("--dataset <name>", `dataset: ${DATASET_NAMES.join(", ")}`, "mnist");
}

function print(record: object, json: boolean | undefined, rows: RunRecord[]): void {
  if (json) process.stdout.write(`${JSON.stringify(record)}\n`);
  else process.stdout.write(`${formatTable(rows)}\n`);
}

export function buildProgram(): Command {
  const program = new Command("nq")
    .description("natural-quantization: quantum neural networks whose neurons are qubits (arXiv:2503.15482)")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s.trim().split("\n")[0] + "\n") });

  trainOptions(program.command("train").description("train a network on the bundled MNIST subset (or another dataset) and evaluate it"))
    .option("--out <dir>", "write result.json, metrics.json, weights.json and checkpoint.json here")
    .option("--resume", "continue from <out>/checkpoint.json (same options; --epochs may grow)")
    .action(async (o: TrainCliOptions) => {
      const config = trainConfig(o);
      if (o.resume && !o.out) throw new UserError("--resume needs --out <dir> (where checkpoint.json is)");
      const record = await runExperiment(config, { out: o.out, resume: o.resume, progress: new StderrProgress() });
      const { history: _h, ...summary } = record;
      print(summary, o.json, [record]);
    });

  commonOptions(program.command("eval").description("evaluate saved weights (the network spec is read from the file)"))
    .requiredOption("--weights <file>", "weights.json or checkpoint.json written by nq train")
    .option("--a <a>", "override the quantumness a of the saved network")
    .option("--g <g>", "override the entanglement angle g of the saved network")
    .action(async (o: CommonOptions & { weights: string; a?: string; g?: string }) => {
      const ck = loadCheckpoint(o.weights);
      const neuron = validateNeuron({
        ...ck.network.neuron,
        ...(o.a === undefined ? {} : { a: parseNumber("a", o.a) }),
        ...(o.g === undefined ? {} : { g: parseNumber("g", o.g, { angle: true }) }),
      });
      const network = { ...ck.network, neuron };
      const testSize = parseInteger("test-size", o.testSize, 1);
      const shots = parseInteger("shots", o.shots, 1);
      const seed = parseInteger("seed", o.seed, 0, 0xffffffff);
      const plugin = await loadBackend(o.backend);
      const c = container.createChildContainer();
      plugin.register(c, o.threads === undefined ? {} : { threads: parseInteger("threads", o.threads, 1, 256) });
      c.register(Tokens.NeuronParams, { useValue: neuron });
      c.register(Tokens.ProgressReporter, { useValue: new StderrProgress() });
      registerCore(c);
      const backend = c.resolve(Tokens.Backend);
      try {
        const dataset = loadDataset(ck.dataset.name, { trainSize: ck.dataset.trainSize, testSize });
        const ev = c.resolve(Tokens.Trainer).evaluate({ network, weights: ck.weights, split: dataset.test, shots, seed });
        const record = {
          backend: backend.name, weights: o.weights, dataset: dataset.name, a: neuron.a, g: neuron.g, activation: neuron.activation,
          width: network.width, depth: network.depth, seed, shots, testSize: dataset.test.n,
          testError1: ev.oneShot.error, testError1Stderr: ev.oneShot.stderr, testErrorK: ev.kShot.error, testErrorKStderr: ev.kShot.stderr, evalSeconds: ev.seconds,
        };
        if (o.json) process.stdout.write(`${JSON.stringify(record)}\n`);
        else process.stdout.write(`${formatTable([record])}\n`);
      } finally {
        backend.dispose();
      }
    });

  program
    .command("backends")
    .description("list the installed backends and their capabilities")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }) => {
      const rows = [];
      for (const plugin of await installedBackends()) {
        const c = container.createChildContainer();
        plugin.register(c);
        const be = c.resolve(Tokens.Backend);
        rows.push({ name: plugin.name, description: plugin.description, ...be.capabilities });
        be.dispose();
      }
      if (o.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
      else for (const r of rows) {
        process.stdout.write(`${r.name.padEnd(10)} ${r.description}\n           training=${r.training} sampling=${r.sampling} deterministic=${r.deterministic} maxQubits=${r.maxQubits ?? "unbounded"} noise=${r.noise} threads=${r.threads}\n`);
      }
    });

  program
    .command("bench")
    .description("time one training epoch (784-512-512-512-10, Model 1 a = 0.5, 5,000 images, batch 64) and a 15-shot evaluation of 5,000 images; each backend runs in its own process")
    .option("--backend <name>", "backend to time", DEFAULT_BACKEND)
    .option("--compare <names>", "backends timed beside it in the same run, comma-separated, or none", "sim-cpu")
    .option("--threads <list>", "threads for backends that use them (default: all cores); several, comma-separated (1,2), time --backend once per count and print the scaling")
    .option("--repetitions <n>", "timed repetitions of --backend (the median is reported)", "3")
    .option("--warmup <n>", "untimed runs of --backend before them", "1")
    .option("--compare-repetitions <n>", "timed repetitions of each --compare backend, no warm-up (sim-cpu takes minutes per run)", "1")
    .addOption(new Option("--in-process", "run here and print this backend's result (used for the child processes)").hideHelp())
    .action(async (o: { backend: string; compare: string; threads?: string; repetitions: string; warmup: string; compareRepetitions: string; inProcess?: boolean }) => {
      const threadCounts = o.threads === undefined ? undefined : parseIntegerList("threads", o.threads, 1, 256);
      const threads = threadCounts?.[0];
      const repetitions = parseInteger("repetitions", o.repetitions, 1);
      const warmup = parseInteger("warmup", o.warmup, 0);
      if (o.inProcess) {
        if (threadCounts && threadCounts.length > 1) throw new UserError("bench --in-process takes one thread count");
        const plugin = await loadBackend(o.backend);
        const c = container.createChildContainer();
        plugin.register(c, threads === undefined ? {} : { threads });
        const be = c.resolve(Tokens.Backend);
        try {
          const r: BenchResult = await runBench({ backend: be, repetitions, warmup });
          process.stdout.write(`${JSON.stringify({ ...r, threads: be.capabilities.threads, repetitions, warmup })}\n`);
        } finally {
          be.dispose();
        }
        return;
      }
      const compare = o.compare === "none" ? [] : o.compare.split(",").map((x) => x.trim()).filter((x) => x && x !== o.backend);
      for (const name of [o.backend, ...compare]) await loadBackend(name); // fail early on a bad name
      const result = await benchInChildren({
        main: { backend: o.backend, repetitions, warmup },
        compare: compare.map((backend) => ({ backend, repetitions: parseInteger("compare-repetitions", o.compareRepetitions, 1), warmup: 0 })),
        threads: threadCounts,
      });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });

  registerSweepCommands(program);
  return program;
}

/** Runs the CLI; user errors print one line and exit with status 2. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 || e.code === "commander.helpDisplayed" || e.code === "commander.version" ? 0 : 2;
    }
    if (e instanceof UserError) {
      process.stderr.write(`nq: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

