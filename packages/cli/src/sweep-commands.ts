import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { isModulePath } from "@natural-quantization/core/node";
import { Option, type Command } from "commander";
import { UserError } from "@natural-quantization/core";
import { parseInteger } from "@natural-quantization/core";
import {
  expandCells, holderAlive, isExecutorName, loadExecutor, findingsLines, loadSweepFile, lockSweepDirectory, parseAList, parseGList, parseSeedList, presetPlan, PRESETS,
  readExecutorRecord, readManifest, readRecords, resolveGrids, runSweep, SETTING_KEYS, settingsOf, statusLines, StderrSweepDisplay, sweepStatus, validateSlurmOptions,
  writeAggregates, writeReport, type SweepConfig, type SweepPlan, type SweepSettings,
} from "@natural-quantization/sweep";
import { markRequired } from "./arguments.js";
import { assertGiven, assertWritableDirectory } from "./files.js";
import { stderrProgress } from "./progress.js";
import { installedBackends } from "./backends.js";
import { EXPERIMENT_MODULE } from "./experiment.js";
import { trainConfig, trainOptions, type TrainCliOptions } from "./options.js";
import { addPluginOptions, pluginSettings, type DeclaredOptions } from "./plugin-options.js";
import { writeStdout } from "./output.js";

export const DEFAULT_SEEDS = "0,1,2";

/** The option values commander hands a sweep or reproduce action (strings as typed). */
export interface SweepCliOptions extends Omit<TrainCliOptions, "resume"> {
  seeds: string;
  file?: string;
  preset?: string;
  jobs: string;
  png: boolean;
  report: boolean;
  executor: string;
  partition?: string;
  time?: string;
  cpusPerTask: string;
  mem?: string;
  account?: string;
  maxTasks?: string;
  sbatch: string[];
  wait?: boolean;
  aggregate?: boolean;
}

/**
 * The sweep's configuration from, in increasing precedence: the train defaults, a sweep file
 * or preset, and the options given on the command line. An unspecified backend is the one an
 * existing sweep directory was started with (with the values of its own options it was given
 * then), else the fastest installed. `declared`: the options of the backend named on the command line.
 */
export async function resolveSweepConfig(
  o: SweepCliOptions,
  explicit: (key: string) => boolean,
  plan: SweepPlan | null,
  stored: Pick<SweepSettings, "backend" | "backendSettings"> | null,
  fastestBackend: () => Promise<string> = defaultBackend,
  declared: readonly DeclaredOptions[] = [],
): Promise<SweepConfig> {
  if (plan?.grids && (explicit("a") || explicit("g"))) {
    throw new UserError("--a and --g cannot be combined with a sweep file or preset, which define the grids; edit the file, or leave --a/--g out");
  }
  const raw: Record<string, unknown> = { ...o, a: "0", g: "pi/2", seed: "0", threads: undefined };
  for (const key of SETTING_KEYS) {
    const v = plan?.settings[key];
    if (!explicit(key) && v !== undefined) raw[key] = typeof v === "boolean" ? v : String(v);
  }
  const storedBackend = !explicit("backend") && plan?.settings.backend === undefined ? stored : null;
  if (!explicit("backend")) raw.backend = plan?.settings.backend ?? storedBackend?.backend ?? (await fastestBackend());
  const config = trainConfig(raw as unknown as Parameters<typeof trainConfig>[0], declared);
  const settings = settingsOf(storedBackend?.backendSettings ? { ...config, settings: storedBackend.backendSettings } : config);
  const seeds = explicit("seeds")
    ? parseSeedList(o.seeds)
    : explicit("seed")
      ? parseSeedList(o.seed, "seed ")
      : plan?.seeds
        ? [...plan.seeds]
        : parseSeedList(DEFAULT_SEEDS);
  const cliSeeds = explicit("seeds") || explicit("seed");
  const grids = plan?.grids
    ? resolveGrids(cliSeeds ? plan.grids.map((g) => ({ ...g, seeds: seeds })) : plan.grids, seeds)
    : [{ name: "grid", a: parseAList(o.a), g: parseGList(o.g), seeds }];
  return { settings, grids };
}

/** The first of the installed backends, which are ordered fastest first. */
export async function defaultBackend(): Promise<string> {
  const found = await installedBackends();
  if (found.length === 0) throw new UserError("no backend is installed; install @natural-quantization/sim-cpu");
  return found[0].name;
}

/**
 * The sweep options. `preset`: optional (nq sweep), required (nq reproduce), or fixed, for a
 * command that runs one preset (nq followup-study): no --preset option, its settings overridable.
 */
export function sweepOptions(cmd: Command, preset: "optional" | "required" | "fixed", declared: readonly DeclaredOptions[] = []): Command {
  trainOptions(cmd, backendDeclared(declared));
  // The train options' --a and --g take lists here.
  for (const opt of cmd.options) {
    if (opt.long === "--a") opt.description = "quantumness values: a comma list and/or ranges start:stop:step, e.g. 0,0.5,1 or 0:1.5:0.1";
    if (opt.long === "--g") opt.description = "entanglement angles: a comma list and/or ranges, multiples of pi allowed, e.g. 0.1:1.4:0.1,pi/2";
    if (opt.long === "--seed") opt.description = "a single seed (same as --seeds N)";
    if (opt.long === "--backend") opt.defaultValueDescription = "the fastest installed, or the one the --out directory was started with, with the values of its own options";
    if (opt.long === "--threads") opt.description = "backend threads per cell (default: cores / jobs)";
    if (opt.long === "--json") opt.description = "print the findings as one JSON object on stdout at the end";
    if (opt.long === "--epochs") opt.description = "training epochs of each cell (the paper: 100)";
  }
  if (preset !== "optional") {
    // The preset defines the grids and the settings; flags given explicitly override its settings.
    const settingFlags = new Set<string>(SETTING_KEYS.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`));
    for (const opt of cmd.options) {
      if (opt.long === "--a" || opt.long === "--g") opt.hideHelp();
      else if (opt.long && settingFlags.has(opt.long) && opt.long !== "--backend") opt.defaultValueDescription = "the preset's";
    }
  }
  const presetOpt = new Option("--preset <name>", `a built-in sweep: ${Object.entries(PRESETS).map(([k, v]) => `${k} (${v.description})`).join("; ")}`).choices(Object.keys(PRESETS));
  if (preset === "required") markRequired(presetOpt);
  const seedsOpt = new Option("--seeds <list>", "seeds: a comma list and/or ranges, e.g. 0,1,2 or 0:9").default(DEFAULT_SEEDS, preset === "optional" ? DEFAULT_SEEDS : "the preset's");
  cmd.addOption(seedsOpt);
  if (preset !== "fixed") cmd.addOption(presetOpt);
  cmd
    .option("--jobs <n>", "cells run in parallel, each in its own process (--executor local)", String(availableParallelism()))
    .option("--no-png", "write SVG plots only")
    .option("--no-report", "do not write report.html at the end")
    .option("--executor <name>", "where the cells run: local (child processes), slurm (one array job, a task per cell, into the shared --out directory), a package installed in the current directory, or a path to a module (./my-executor.mjs), exporting `executor`; options a contributed executor declares for itself are offered beside these (see them with --executor NAME --help)", "local")
    .option("--partition <name>", "slurm: the partition")
    .option("--time <limit>", "slurm: the time limit per cell, e.g. 2:00:00")
    .option("--cpus-per-task <n>", "slurm: CPUs per cell, used as its backend threads", "1")
    .option("--mem <size>", "slurm: memory per cell, e.g. 4G")
    .option("--account <name>", "slurm: the account charged")
    .option("--max-tasks <n>", "slurm: the most cells running at once (the array's %N)")
    .addOption(
      new Option("--sbatch <option>", "slurm: a further sbatch option for the batch script, e.g. --sbatch --qos=short (repeatable)")
        .argParser((v: string, prev: string[]) => [...prev, v])
        .default([] as string[], "none"),
    )
    .option("--wait", "slurm: follow the job with progress until every cell ended, then write the report")
    .option("--aggregate", "write results, summary, plots and report of a sweep whose cells are all done (after a Slurm job)");
  // A contributed executor's own options (those of the one --executor names).
  return addPluginOptions(cmd, executorDeclared(declared));
}

const backendDeclared = (declared: readonly DeclaredOptions[]) => declared.filter((d) => d.kind === "backend" && d.trains);
const executorDeclared = (declared: readonly DeclaredOptions[]) => declared.filter((d) => d.kind === "executor");

const SLURM_FLAGS = ["--partition", "--time", "--cpus-per-task", "--mem", "--account", "--max-tasks", "--sbatch", "--wait"];

/** The executor --executor names, made with the options given; its own options' values as well. */
async function executorFor(o: SweepCliOptions, declared: readonly DeclaredOptions[]) {
  const maxTasks = o.maxTasks === undefined ? undefined : parseInteger("max-tasks", o.maxTasks, 1, 1_000_000);
  const slurm = validateSlurmOptions({
    partition: o.partition,
    time: o.time,
    cpusPerTask: parseInteger("cpus-per-task", o.cpusPerTask, 1, 4096),
    mem: o.mem,
    account: o.account,
    maxTasks,
    extra: o.sbatch.map((line) => line.replace(/^#SBATCH\s+/, "")),
  });
  const jobs = parseInteger("jobs", o.jobs, 1, 1024);
  const threads = o.threads === undefined ? undefined : parseInteger("threads", o.threads, 1, 256);
  const settings = pluginSettings(o as unknown as Readonly<Record<string, unknown>>, executorDeclared(declared));
  const executor = (await loadExecutor(o.executor)).create({ local: { jobs, threads }, slurm: { ...slurm, wait: o.wait === true }, settings }, holderAlive);
  return { executor, settings };
}

/** `nq sweep DIR --aggregate`: results, summary, plots and report once every cell is done. */
async function aggregateAction(out: string, o: SweepCliOptions): Promise<void> {
  const manifest = readManifest(out);
  if (!manifest) throw new UserError(`${out} is not a sweep directory (no sweep.json)`);
  assertWritableDirectory(out, "the sweep directory");
  const unlock = lockSweepDirectory(out, `sweep ${out} --aggregate`);
  try {
    const cells = expandCells(manifest.grids);
    const left = cells.length - readRecords(out, cells).length;
    if (left > 0) throw new UserError(`${left} of the ${cells.length} cells of ${out} are not done; see nq sweep status ${out}, re-run the sweep command for failed ones, then aggregate`);
    writeAggregates(out, cells);
    const lines = [`sweep: ${cells.length}/${cells.length} cells finished in ${out}; results.json and summary.csv written`];
    if (o.report) {
      const r = await writeReport(out, { png: o.png });
      lines.push(...findingsLines(r.findings, manifest.settings.shots), `report: ${r.path}`);
    }
    writeStdout(`${lines.join("\n")}\n`);
  } finally {
    unlock();
  }
}

/** Runs (or continues) a sweep; true when every cell of it is finished. */
export async function sweepAction(o: SweepCliOptions, cmd: Command, argv: readonly string[], declared: readonly DeclaredOptions[], dir?: string): Promise<boolean> {
  const explicit = (key: string) => {
    const source = cmd.getOptionValueSource(key);
    return source === "cli" || source === "env";
  };
  // A sweep file given where the directory goes (nq sweep grid.yaml) is a mistake, not a directory to sweep into.
  if (dir !== undefined && /\.(ya?ml|json)$/i.test(dir)) throw new UserError(`unexpected argument "${dir}" for nq sweep; did you mean --file ${dir}?`);
  if (dir !== undefined && o.out !== undefined && resolve(dir) !== resolve(o.out)) throw new UserError(`give the sweep directory once: ${dir} or --out ${o.out}`);
  const given = dir ?? o.out;
  if (given !== undefined) assertGiven(given, dir !== undefined ? "the sweep directory" : "--out", "a directory");
  if (o.aggregate) {
    if (given === undefined) throw new UserError("--aggregate needs the sweep directory: nq sweep DIR --aggregate");
    await aggregateAction(resolve(given), o);
    return true;
  }
  if (cmd.name() === "sweep" && given === undefined) throw new UserError("give the sweep directory: --out DIR");
  if (o.file && o.preset) throw new UserError("give either --file or --preset, not both");
  const plan = o.file ? loadSweepFile(o.file) : o.preset ? presetPlan(o.preset) : null;
  const out = resolve(given ?? `reproduce-${o.preset ?? "sweep"}`);
  const stored = readManifest(out);
  const config = await resolveSweepConfig(o, explicit, plan, stored?.settings ?? null, defaultBackend, backendDeclared(declared));
  if (o.executor !== "slurm") {
    const slurmOnly = SLURM_FLAGS.filter((flag) => explicit(flag.slice(2).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())));
    const one = slurmOnly.length === 1;
    if (slurmOnly.length > 0) throw new UserError(`${slurmOnly.join(", ")} ${one ? "applies" : "apply"} to --executor slurm only; add --executor slurm or leave ${one ? "it" : "them"} out`);
  }
  const { executor, settings: executorSettings } = await executorFor(o, declared);
  assertWritableDirectory(given ?? out, "--out");
  // The sweep's status through the CLI's progress renderer: a bar on a terminal, periodic lines in a log.
  const display = new StderrSweepDisplay(stderrProgress());
  const executorModule = isExecutorName(o.executor) ? undefined : isModulePath(o.executor) ? resolve(o.executor) : o.executor;
  const outcome = await runSweep(config, { out, executor, ...(executorModule ? { executorModule } : {}), executorSettings, experiments: EXPERIMENT_MODULE, preset: o.preset ?? stored?.preset ?? null, argv, display });
  if (outcome.records.length < outcome.cells.length && outcome.unfinished > 0) {
    // Handed to a batch system: the report comes once every cell is done.
    const what = outcome.submitted ? `submitted ${outcome.submitted}` : "nothing new to submit";
    writeStdout(
      `sweep: ${what}; ${outcome.records.length}/${outcome.cells.length} cells finished, ${outcome.unfinished} queued or running in ${out}\n` +
        `follow it with: nq sweep status ${out}\nwhen every cell is done: nq sweep ${out} --aggregate (or run this command again with --wait)\n`,
    );
    return false;
  }
  if (outcome.failed.length > 0) {
    const list = outcome.failed.slice(0, 3).map((f) => `${f.key}: ${f.message}`).join("; ");
    throw new UserError(`${outcome.failed.length} of ${outcome.cells.length} cells failed (${list}${outcome.failed.length > 3 ? "; ..." : ""}); fix the cause and re-run the same command to retry them (finished cells are kept)`);
  }
  const lines = [`sweep: ${outcome.records.length}/${outcome.cells.length} cells finished (${outcome.ran} run now, ${outcome.skipped} skipped as already finished) in ${out}`];
  let findings = null;
  if (o.report) {
    const r = await writeReport(out, { png: o.png });
    findings = r.findings;
    lines.push(...findingsLines(r.findings, config.settings.shots), `report: ${r.path}`);
  }
  if (o.json) writeStdout(`${JSON.stringify({ dir: out, cells: outcome.cells.length, finished: outcome.records.length, ran: outcome.ran, skipped: outcome.skipped, findings })}\n`);
  else writeStdout(`${lines.join("\n")}\n`);
  return true;
}

/** Adds `nq sweep`, `nq report` and `nq reproduce` to the program. */
export function registerSweepCommands(program: Command, declared: readonly DeclaredOptions[] = []): void {
  const sweep = program
    .command("sweep")
    .description("train a grid of networks over a, g and seeds in parallel, resumably, then write results.json, summary.csv, plots and report.html")
    .argument("[dir]", "the sweep directory, as --out (e.g. nq sweep DIR --aggregate)")
    .option("--file <path>", "a sweep file (.json, .yaml): nq train settings (width, epochs, ...), seeds, and grids: [{name, a, g, seeds}]; options given on the command line override its settings")
    .option("--out <dir>", "the sweep directory; re-running the same command there continues an interrupted sweep");
  sweepOptions(sweep, "optional", declared).action(
    async (dir: string | undefined, o: SweepCliOptions, cmd: Command) => void (await sweepAction(o, cmd, ["sweep", ...rawArgs(cmd)], declared, dir)),
  );
  sweep
    .command("status")
    .description("show every cell of a sweep directory as pending, running, done or failed (from the files and, for Slurm, squeue/sacct); a failed cell names its log")
    .argument("<dir>", "a sweep directory")
    .option("--json", "print the cells as JSON")
    .action(async (dir: string, o: { json?: boolean }) => {
      const out = resolve(dir);
      const { name, settings } = readExecutorRecord(out);
      const executor = (await loadExecutor(name)).create({ local: { jobs: 1 }, slurm: { cpusPerTask: 1, extra: [], wait: false }, settings }, holderAlive);
      const st = await sweepStatus(out, executor);
      if (o.json) writeStdout(`${JSON.stringify({ dir: out, executor: st.executor, cells: st.cells.map((c) => ({ key: c.cell.key, index: c.index, state: c.state, detail: c.detail, ...(c.log ? { log: c.log } : {}) })) })}\n`);
      else writeStdout(`${statusLines(st).join("\n")}\n`);
    });

  const reproduce = program
    .command("reproduce")
    .description("run a preset sweep of the paper's two models (Model 1: a at g = pi/2; Model 2: g at a = 0), then write the report")
    .option("--out <dir>", "the sweep directory (default: ./reproduce-<preset>)");
  sweepOptions(reproduce, "required", declared).action(
    async (o: SweepCliOptions, cmd: Command) => void (await sweepAction(o, cmd, ["reproduce", ...rawArgs(cmd)], declared)),
  );

  program
    .command("report")
    .description("write DIR/report.html (self-contained: plots, table, configuration, findings) and the plots of a sweep directory")
    .argument("<dir>", "a directory written by nq sweep or nq reproduce")
    .option("--no-png", "write SVG plots only")
    .option("--json", "print the findings as JSON on stdout")
    .action(async (dir: string, o: { png: boolean; json?: boolean }) => {
      const r = await writeReport(resolve(dir), { png: o.png });
      if (o.json) writeStdout(`${JSON.stringify({ report: r.path, finished: r.records.length, cells: r.cellsTotal, findings: r.findings })}\n`);
      else writeStdout(`${[...findingsLines(r.findings, r.records[0]?.shots ?? 1), `report: ${r.path} (${r.records.length}/${r.cellsTotal} cells)`].join("\n")}\n`);
    });
}

/** The options as typed, for the report's record of how the sweep was run. */
export function rawArgs(cmd: Command): string[] {
  const out: string[] = [];
  for (const opt of cmd.options) {
    const key = opt.attributeName();
    const source = cmd.getOptionValueSource(key);
    if (source !== "cli") continue;
    const v = cmd.getOptionValue(key) as unknown;
    // Booleans given on the command line are the flag itself (--bias, --no-png); lists repeat it.
    if (typeof v === "boolean") out.push(opt.long!);
    else if (Array.isArray(v)) for (const item of v) out.push(opt.long!, String(item));
    else out.push(opt.long!, String(v));
  }
  return out;
}
