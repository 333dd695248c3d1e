// tsyringe needs the Reflect metadata API before it loads.
import "reflect-metadata";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { ConfigError, PAPER_TRAINING, Tokens, UserError, validateNeuron, type QubitLayer } from "@natural-quantization/core";
import { loadCheckpoint, writeFileAtomic, writeJsonAtomic } from "@natural-quantization/core/node";
import { ensureDataset, loadDataset } from "@natural-quantization/datasets";
import { markRequired, refuseUnexpectedArguments } from "./arguments.js";
import { AUTO_BACKEND, DEFAULT_BACKEND, installedBackends, loadBackend, resolveAuto } from "./backends.js";
import { confirmDeviceRun, deviceConfig, deviceOptions, type DeviceCliOptions } from "./hardware-options.js";
import { declaredOptions, SWEEP_COMMANDS, type DeclaredOptions } from "./plugin-options.js";
import { registerCircuitsCommand } from "./circuits.js";
import { registerNoiseStudyCommand } from "./noise-study.js";
import { registerFollowupStudyCommand } from "./followup-study.js";
import { registerCostCommand } from "./cost.js";
import { benchInChildren, runBench, type BenchResult } from "./bench.js";
import { closeQubitLayer, composeMachine, disposeMachine, runExperiment, type RunRecord } from "./experiment.js";
import { encodeExport, EXPORTED_WEIGHTS, exportFormat, EXPORT_FORMATS } from "./export.js";
import { assertNotAnInput, assertReplaceable, assertWritableDirectory, assertWritableFile, claimRunDirectory, RUN_LOCK_FILE, writing } from "./files.js";
import { closeOnInterrupt, exitOnInterrupt, type InterruptState } from "./interrupt.js";
import { BACKEND_HELP, commonOptions, DEFAULT_EPOCHS, machineConfig, machineOptions, THREADS_HELP, trainConfig, trainOptions, type CommonOptions, type MachineCliOptions, type TrainCliOptions } from "./options.js";
import { parseInteger, parseIntegerList, parseNumber } from "@natural-quantization/core";
import { NEURON_HELP } from "./neurons.js";
import { cliMessage } from "./error-flags.js";
import { datasetImages, predictImages, PREDICTIONS_CSV, predictionsCsv, readImagesFile } from "./predict.js";
import { printDownloadProgress, stderrProgress } from "./progress.js";
import { registerSweepCommands } from "./sweep-commands.js";
import { formatTable } from "./table.js";
import { registerPlaygroundCommand } from "./playground.js";
import { lockDirectory } from "@natural-quantization/sweep";
import { writeStdout } from "./output.js";

export { DEFAULT_EPOCHS };

/** The CLI's version, from its package.json (one directory above dist/). */
export function cliVersion(): string {
  return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

function print(record: object, json: boolean | undefined, rows: RunRecord[]): void {
  if (json) writeStdout(`${JSON.stringify(record)}\n`);
  else writeStdout(`${formatTable(rows)}\n`);
}

/** The program; `argv` (as given to main) lets nq train print the exact command that resumes it. */
export function buildProgram(argv: readonly string[] = [], allDeclared: readonly DeclaredOptions[] = []): Command {
  const program = new Command("nq")
    .description("natural-quantization: quantum neural networks whose neurons are qubits (arXiv:2503.15482)")
    .version(cliVersion(), "-V, --version", "print the version")
    .showHelpAfterError(false)
    .exitOverride()
    // Commander's error and its "(Did you mean --epochs?)" suggestion, on one line.
    .configureOutput({ outputError: (s, write) => write(`nq: ${s.trim().replace(/^error: /, "").replace(/\s*\n\s*/g, " ")}\n`) });
  refuseUnexpectedArguments(program);
  // A backend's options go to the commands that run a network; those declared for a sweep command
  // (its backend's and its executor's) to the sweep commands.
  const declared = allDeclared.filter((d) => d.kind === "backend");
  const sweepDeclared = (SWEEP_COMMANDS as readonly (string | undefined)[]).includes(argv[0]) ? allDeclared : [];
  const trainable = declared.filter((d) => d.trains);

  deviceOptions(trainOptions(program.command("train").description("train a network on the bundled MNIST subset (or another dataset) and evaluate it"), trainable), { hardware: false })
    .option("--out <dir>", "write result.json, metrics.json, weights.json and checkpoint.json (every epoch) here")
    .option("--resume", "continue from <out>/checkpoint.json (same options; --epochs may grow); an error when there is none")
    .option("--force", "overwrite the run already in --out")
    .action(async (o: TrainCliOptions & DeviceCliOptions & { force?: boolean }, cmd: Command) => {
      const progress = stderrProgress();
      const config = { ...trainConfig(o, trainable), ...(await deviceConfig(o.backend, o, (line) => progress.line(line))) };
      if (o.resume && o.out === undefined) throw new UserError("--resume needs --out <dir> (where checkpoint.json is)");
      if (o.resume && o.force) throw new UserError("give either --resume (continue the run in --out) or --force (overwrite it), not both");
      const args = commandArgs(argv, cmd);
      let unlock = () => {};
      if (o.out !== undefined) {
        assertWritableDirectory(o.out);
        // One nq train per directory: two would overwrite each other's checkpoints.
        unlock = lockDirectory(o.out, RUN_LOCK_FILE, args.join(" "), "another nq train");
      }
      try {
        if (o.out !== undefined) claimRunDirectory(o.out, { resume: o.resume, force: o.force });
        const state: InterruptState = { saved: 0, epochs: config.training.epochs, checkpoint: o.out !== undefined ? join(o.out, "checkpoint.json") : null };
        const release = exitOnInterrupt(state, args);
        try {
          const record = await runExperiment(config, { out: o.out, resume: o.resume, progress: progress.reporter(), onCheckpoint: (epoch) => (state.saved = epoch) });
          progress.close();
          const { history: _h, ...summary } = record;
          print(summary, o.json, [record]);
        } finally {
          progress.close();
          release();
        }
      } finally {
        unlock();
      }
    });

  deviceOptions(commonOptions(program.command("eval").description("evaluate saved weights (the network spec is read from the file) on a simulator, a simulated noisy device, or quantum hardware"), declared), { hardware: true })
    .addOption(markRequired(new Option("--weights <file>", "weights.json or checkpoint.json written by nq train")))
    .option("--a <a>", "override the quantumness a of the saved network")
    .option("--g <g>", "override the entanglement angle g of the saved network")
    .action(async (o: CommonOptions & DeviceCliOptions & { weights: string; a?: string; g?: string }) => {
      const ck = loadCheckpoint(o.weights);
      const neuron = validateNeuron({
        ...ck.network.neuron,
        ...(o.a === undefined ? {} : { a: parseNumber("a", o.a) }),
        ...(o.g === undefined ? {} : { g: parseNumber("g", o.g, { angle: true }) }),
      });
      const network = { ...ck.network, neuron };
      const testSize = o.testSize === undefined ? undefined : parseInteger("test-size", o.testSize, 1);
      const shots = parseInteger("shots", o.shots, 1);
      const seed = parseInteger("seed", o.seed, 0, 0xffffffff);
      const progress = stderrProgress();
      if (o.out !== undefined) assertWritableDirectory(o.out);
      const device = await deviceConfig(o.backend, o, (line) => progress.line(line));
      if (o.resume && o.backend !== "hardware") throw new UserError("--resume continues a device evaluation (--backend hardware --out DIR); a simulator evaluation has nothing to resume");
      const c = await composeMachine({ ...machineConfig(o, declared), ...device }, progress.reporter());
      const closeDevice = () => closeQubitLayer(c.resolve(Tokens.QubitLayer));
      const stopOnInterrupt = device.hardware ? closeOnInterrupt(closeDevice, device.hardware.jobs?.dir) : () => {};
      try {
        await ensureDataset(ck.dataset.name, { onProgress: printDownloadProgress });
        const dataset = loadDataset(ck.dataset.name, { trainSize: ck.dataset.trainSize, testSize });
        if (device.hardware) await confirmDeviceRun(c.resolve(Tokens.QubitLayer), { network, images: dataset.test.n, shots, provider: device.hardware.provider, yes: o.yes }, (line) => progress.line(line));
        const ev = await c.resolve(Tokens.Trainer).evaluate({ network, weights: ck.weights, split: dataset.test, shots, seed });
        progress.close();
        const record = {
          backend: c.resolve(Tokens.QubitLayer).name, weights: o.weights, dataset: dataset.name, a: neuron.a, g: neuron.g, activation: neuron.activation,
          width: network.width, depth: network.depth, seed, shots, testSize: dataset.test.n,
          testError1: ev.oneShot.error, testError1Stderr: ev.oneShot.stderr, testErrorK: ev.kShot.error, testErrorKStderr: ev.kShot.stderr, evalSeconds: ev.seconds,
        };
        if (o.out) writing(join(o.out, "result.json"), () => writeJsonAtomic(join(o.out!, "result.json"), record), "");
        if (o.json) writeStdout(`${JSON.stringify(record)}\n`);
        else writeStdout(`${formatTable([record])}\n`);
      } finally {
        progress.close();
        stopOnInterrupt();
        await closeDevice();
        disposeMachine(c);
      }
    });

  const predict = program
    .command("predict")
    .description("classify images with saved weights: per image, the majority vote of k shots and the votes of each class, as CSV")
    .addOption(markRequired(new Option("--weights <file>", "weights.json or checkpoint.json written by nq train")))
    .option("--dataset <name>", "classify this dataset's test split (default: the one the weights were trained on)")
    .option("--images <file>", "classify the images of an IDX file (idx3-ubyte, raw or .gz) instead")
    .option("--labels <file>", "the IDX labels of --images, to add a label column")
    .option("--test-size <n>", "test images of --dataset (default: as many as the weights were tested on, for their own dataset)")
    .option("--shots <k>", "shots per image; the prediction is their majority vote (ties to the lowest class)", String(PAPER_TRAINING.shots))
    .option("--seed <n>", "seed of the measurement outcomes (nq eval with the same seed and shots scores these same votes)", String(PAPER_TRAINING.seed))
  deviceOptions(machineOptions(predict, declared), { hardware: true, jobs: "jobs" })
    .option("--out <file>", "write the CSV here (default: stdout)")
    .option("--force", "replace an --out file that is not a predictions CSV")
    .action(async (o: { weights: string; dataset?: string; images?: string; labels?: string; testSize?: string; shots: string; seed: string; out?: string; force?: boolean } & MachineCliOptions & DeviceCliOptions) => {
      if (o.dataset && o.images) throw new UserError("give either --dataset or --images, not both");
      if (o.labels && !o.images) throw new UserError("--labels belongs to --images; a --dataset has its own labels");
      const shots = parseInteger("shots", o.shots, 1);
      const seed = parseInteger("seed", o.seed, 0, 0xffffffff);
      const testSize = o.testSize === undefined ? undefined : parseInteger("test-size", o.testSize, 1);
      if (o.out !== undefined) {
        assertWritableFile(o.out);
        assertNotAnInput(o.out, [["--weights", o.weights], ["--images", o.images], ["--labels", o.labels]]);
        assertReplaceable(o.out, PREDICTIONS_CSV, o.force);
      }
      const ck = loadCheckpoint(o.weights);
      const images = o.images ? readImagesFile(o.images, ck.network.inputSize, ck.network.outputSize, o.labels) : datasetImages(o.dataset ?? ck.dataset.name, testSize, ck);
      const progress = stderrProgress();
      const device = await deviceConfig(o.backend, { ...o, out: undefined }, (line) => progress.line(line), "jobs");
      const hardware = device.hardware;
      const confirm = hardware && ((layer: QubitLayer) => confirmDeviceRun(layer, { network: ck.network, images: images.n, shots, provider: hardware.provider, yes: o.yes }, (line) => progress.line(line)));
      const p = await predictImages(ck, images, { ...machineConfig(o, declared), ...device, shots, seed, progress: progress.reporter(), ...(confirm ? { beforeRun: confirm } : {}) }).finally(() => progress.close());
      const csv = predictionsCsv(p, images.labels);
      if (o.out !== undefined) {
        const out = o.out;
        writing(out, () => writeFileAtomic(out, csv));
      } else writeStdout(csv);
      let wrong = 0;
      if (images.labels) for (let i = 0; i < p.n; i++) if (p.predicted[i] !== images.labels[i]) wrong++;
      const error = images.labels ? `, ${shots}-shot error ${((100 * wrong) / p.n).toFixed(2)}%` : "";
      process.stderr.write(`predicted ${p.n} images of ${images.source} (${shots} shot${shots === 1 ? "" : "s"} each${error})${o.out ? `: ${o.out}` : ""}\n`);
    });

  program
    .command("export")
    .description("write saved weights as safetensors or npz (numpy), with the network spec as metadata, for use outside this project")
    .addOption(markRequired(new Option("--weights <file>", "weights.json or checkpoint.json written by nq train")))
    .addOption(new Option("--format <format>", "file format (default: from the --out extension)").choices(EXPORT_FORMATS))
    .addOption(markRequired(new Option("--out <file>", "the file to write, e.g. weights.safetensors or weights.npz")))
    .option("--force", "replace an --out file that is not a safetensors or npz file")
    .action((o: { weights: string; format?: string; out: string; force?: boolean }) => {
      assertWritableFile(o.out);
      const format = exportFormat(o.format, o.out);
      assertNotAnInput(o.out, [["--weights", o.weights]]);
      assertReplaceable(o.out, EXPORTED_WEIGHTS, o.force);
      const ck = loadCheckpoint(o.weights);
      const bytes = encodeExport(ck, format);
      writing(o.out, () => writeFileAtomic(o.out, bytes));
      process.stderr.write(`wrote ${o.out} (${format}, ${ck.weights.length} layers, ${bytes.length} bytes)\n`);
    });

  program
    .command("backends")
    .description("list the installed backends and their capabilities")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }) => {
      const rows = [];
      for (const plugin of await installedBackends()) {
        // A device backend is listed with the local provider (no credentials needed to describe it).
        const c = await composeMachine({ backend: plugin.name, ...(plugin.provides === "qubits" ? { hardware: { provider: "local" } } : {}) });
        const dense = c.resolve(Tokens.DenseEngine).capabilities, qubits = c.resolve(Tokens.QubitLayer).capabilities;
        // Training needs exact sampling (the straight-through gradients of a simulator).
        rows.push({ name: plugin.name, description: plugin.description, ...dense, ...qubits, training: dense.training && qubits.sampling === "exact" });
        disposeMachine(c);
      }
      if (o.json) writeStdout(`${JSON.stringify(rows)}\n`);
      else for (const r of rows) {
        writeStdout(`${r.name.padEnd(10)} ${r.description}\n           training=${r.training} sampling=${r.sampling} deterministic=${r.deterministic} maxQubits=${r.maxQubits ?? "unbounded"} noise=${r.noise} threads=${r.threads}\n`);
      }
    });

  program
    .command("bench")
    .description("time one training epoch (784-512-512-512-10, Model 1 a = 0.5, 5,000 images, batch 64) and a 15-shot evaluation of 5,000 images; each backend runs in its own process")
    .option("--backend <name>", "backend to time", DEFAULT_BACKEND)
    .option("--compare <names>", "backends timed beside it in the same run, comma-separated, or none", "sim-cpu")
    .option("--threads <list>", `${THREADS_HELP}; several, comma-separated (1,2), time --backend once per count and print the scaling`)
    .option("--repetitions <n>", "timed repetitions of --backend (the median is reported)", "3")
    .option("--warmup <n>", "untimed runs of --backend before them", "1")
    .option("--compare-repetitions <n>", "timed repetitions of each --compare backend (sim-cpu takes minutes per run)", "1")
    .option("--compare-warmup <n>", "untimed runs of each --compare backend before them", "0")
    .option("--g <angle>", "entanglement angle g of the hidden layers, e.g. 0.9 or pi/4 (default pi/2: Model 1; below it, Model 2)")
    .addOption(new Option("--in-process", "run here and print this backend's result (used for the child processes)").hideHelp())
    .addOption(new Option("--sizes <train,test>", "training and test images of an --in-process run (default 5000,5000; for slow backends)").hideHelp())
    .action(async (o: { backend: string; compare: string; threads?: string; repetitions: string; warmup: string; compareRepetitions: string; compareWarmup: string; g?: string; inProcess?: boolean; sizes?: string }) => {
      const threadCounts = o.threads === undefined ? undefined : parseIntegerList("threads", o.threads, 1, 256);
      const threads = threadCounts?.[0];
      const repetitions = parseInteger("repetitions", o.repetitions, 1);
      const warmup = parseInteger("warmup", o.warmup, 0);
      const g = o.g === undefined ? undefined : parseNumber("g", o.g, { angle: true });
      if (g !== undefined && !(g >= 0 && g <= Math.PI / 2)) throw new ConfigError("g", o.g, "0 to pi/2");
      if (o.inProcess) {
        if (threadCounts && threadCounts.length > 1) throw new UserError("bench --in-process takes one thread count");
        const c = await composeMachine({ backend: o.backend, threads });
        const progress = stderrProgress();
        try {
          const machine = { dense: c.resolve(Tokens.DenseEngine), qubits: c.resolve(Tokens.QubitLayer) };
          const [trainSize, testSize] = o.sizes === undefined ? [5000, 5000] : parseIntegerList("sizes", o.sizes, 1);
          const r: BenchResult = await runBench({ machine, repetitions, warmup, g, progress, trainSize, testSize });
          progress.close();
          process.stdout.write(`${JSON.stringify({ ...r, threads: machine.dense.capabilities.threads, repetitions, warmup, ...(o.sizes === undefined ? {} : { trainSize, testSize }) })}\n`);
        } finally {
          progress.close();
          disposeMachine(c);
        }
        return;
      }
      // auto is resolved here (and said once), so each child process times the backend it stands for.
      const backend = o.backend === AUTO_BACKEND ? await resolveAuto() : o.backend;
      const compare = o.compare === "none" ? [] : o.compare.split(",").map((x) => x.trim()).filter((x) => x && x !== backend);
      for (const name of [backend, ...compare]) await loadBackend(name); // fail early on a bad name
      const result = await benchInChildren({
        main: { backend, repetitions, warmup, g },
        compare: compare.map((name) => ({ backend: name, repetitions: parseInteger("compare-repetitions", o.compareRepetitions, 1), warmup: parseInteger("compare-warmup", o.compareWarmup, 0), g })),
        threads: threadCounts,
      });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });

  registerSweepCommands(program, sweepDeclared);
  registerCircuitsCommand(program);
  registerNoiseStudyCommand(program);
  registerFollowupStudyCommand(program, sweepDeclared);
  registerCostCommand(program);
  registerPlaygroundCommand(program);
  return program;
}

/** The arguments of a command as the user typed them, from the command's name on. */
function commandArgs(argv: readonly string[], cmd: Command): string[] {
  const at = argv.indexOf(cmd.name());
  return at >= 0 ? argv.slice(at) : [cmd.name()];
}

/** Runs the CLI; user errors print one line and exit with status 2. */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = buildProgram(argv, await declaredOptions(argv));
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 || e.code === "commander.helpDisplayed" || e.code === "commander.version" ? 0 : 2;
    }
    if (e instanceof UserError) {
      process.stderr.write(`nq: ${cliMessage(e)}\n`);
      return 2;
    }
    throw e;
  }
}

