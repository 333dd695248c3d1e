import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { UserError } from "@natural-quantization/core";
import { markRequired } from "../arguments.js";
import { installedBackends } from "../backends.js";
import { trainConfig, trainOptions, type TrainCliOptions } from "../options.js";
import { parseInteger } from "../parse.js";
import { loadSweepFile, resolveGrids, SETTING_KEYS, settingsOf, type SweepConfig, type SweepPlan } from "./config.js";
import { parseAList, parseGList, parseSeedList } from "./grid.js";
import { PRESETS, presetPlan } from "./presets.js";
import { findingsLines, writeReport } from "./report.js";
import { readManifest, runSweep } from "./runner.js";

export const DEFAULT_SEEDS = "0,1,2";

/** The option values commander hands a sweep or reproduce action (strings as typed). */
export interface SweepCliOptions extends Omit<TrainCliOptions, "resume"> {
  seeds: string;
  file?: string;
  preset?: string;
  jobs: string;
  png: boolean;
  report: boolean;
}

/**
 * The sweep's configuration from, in increasing precedence: the train defaults, a sweep file
 * or preset, and the options given on the command line. An unspecified backend is the one an
 * existing sweep directory was started with, else the fastest installed.
 */
export async function resolveSweepConfig(
  o: SweepCliOptions,
  explicit: (key: string) => boolean,
  plan: SweepPlan | null,
  storedBackend: string | null,
  fastestBackend: () => Promise<string> = defaultBackend,
): Promise<SweepConfig> {
  if (plan?.grids && (explicit("a") || explicit("g"))) {
    throw new UserError("--a and --g cannot be combined with a sweep file or preset, which define the grids; edit the file, or leave --a/--g out");
  }
  const raw: Record<string, unknown> = { ...o, a: "0", g: "pi/2", seed: "0", threads: undefined };
  for (const key of SETTING_KEYS) {
    const v = plan?.settings[key];
    if (!explicit(key) && v !== undefined) raw[key] = typeof v === "boolean" ? v : String(v);
  }
  if (!explicit("backend")) raw.backend = plan?.settings.backend ?? storedBackend ?? (await fastestBackend());
  const settings = settingsOf(trainConfig(raw as unknown as Parameters<typeof trainConfig>[0]));
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

function sweepOptions(cmd: Command, preset: "optional" | "required"): Command {
  trainOptions(cmd);
  // The train options' --a and --g take lists here.
  for (const opt of cmd.options) {
    if (opt.long === "--a") opt.description = "quantumness values: a comma list and/or ranges start:stop:step, e.g. 0,0.5,1 or 0:1.5:0.1";
    if (opt.long === "--g") opt.description = "entanglement angles: a comma list and/or ranges, multiples of pi allowed, e.g. 0.1:1.4:0.1,pi/2";
    if (opt.long === "--seed") opt.description = "a single seed (same as --seeds N)";
    if (opt.long === "--backend") opt.defaultValueDescription = "the fastest installed, or the one the --out directory was started with";
    if (opt.long === "--threads") opt.description = "backend threads per cell (default: cores / jobs; sim-wasm uses at most 2)";
    if (opt.long === "--json") opt.description = "print the findings as one JSON object on stdout at the end";
    if (opt.long === "--epochs") opt.description = "training epochs of each cell (the paper: 100)";
  }
  if (preset === "required") {
    // The preset defines the grids and the settings; flags given explicitly override its settings.
    const settingFlags = new Set<string>(SETTING_KEYS.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`));
    for (const opt of cmd.options) {
      if (opt.long === "--a" || opt.long === "--g") opt.hideHelp();
      else if (opt.long && settingFlags.has(opt.long) && opt.long !== "--backend") opt.defaultValueDescription = "the preset's";
    }
  }
  const presetOpt = new Option("--preset <name>", `a built-in sweep: ${Object.entries(PRESETS).map(([k, v]) => `${k} (${v.description})`).join("; ")}`).choices(Object.keys(PRESETS));
  if (preset === "required") markRequired(presetOpt);
  const seedsOpt = new Option("--seeds <list>", "seeds: a comma list and/or ranges, e.g. 0,1,2 or 0:9").default(DEFAULT_SEEDS, preset === "required" ? "the preset's" : DEFAULT_SEEDS);
  return cmd
    .addOption(seedsOpt)
    .addOption(presetOpt)
    .option("--jobs <n>", "cells run in parallel, each in its own process", String(availableParallelism()))
    .option("--no-png", "write SVG plots only")
    .option("--no-report", "do not write report.html at the end");
}

async function sweepAction(o: SweepCliOptions, cmd: Command, argv: readonly string[]): Promise<void> {
  const explicit = (key: string) => {
    const source = cmd.getOptionValueSource(key);
    return source === "cli" || source === "env";
  };
  if (o.file && o.preset) throw new UserError("give either --file or --preset, not both");
  const plan = o.file ? loadSweepFile(o.file) : o.preset ? presetPlan(o.preset) : null;
  const out = resolve(o.out ?? `reproduce-${o.preset ?? "sweep"}`);
  const stored = readManifest(out);
  const config = await resolveSweepConfig(o, explicit, plan, stored?.settings.backend ?? null);
  const jobs = parseInteger("jobs", o.jobs, 1, 1024);
  const threads = o.threads === undefined ? undefined : parseInteger("threads", o.threads, 1, 256);
  const outcome = await runSweep(config, { out, jobs, threads, preset: o.preset ?? stored?.preset ?? null, argv });
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
  if (o.json) process.stdout.write(`${JSON.stringify({ dir: out, cells: outcome.cells.length, finished: outcome.records.length, ran: outcome.ran, skipped: outcome.skipped, findings })}\n`);
  else process.stdout.write(`${lines.join("\n")}\n`);
}

/** Adds `nq sweep`, `nq report` and `nq reproduce` to the program. */
export function registerSweepCommands(program: Command): void {
  const sweep = program
    .command("sweep")
    .description("train a grid of networks over a, g and seeds in parallel, resumably, then write results.json, summary.csv, plots and report.html")
    .option("--file <path>", "a sweep file (.json, .yaml): nq train settings (width, epochs, ...), seeds, and grids: [{name, a, g, seeds}]; options given on the command line override its settings")
    .addOption(markRequired(new Option("--out <dir>", "the sweep directory; re-running the same command there continues an interrupted sweep")));
  sweepOptions(sweep, "optional").action(async (o: SweepCliOptions, cmd: Command) => sweepAction(o, cmd, ["sweep", ...rawArgs(cmd)]));

  const reproduce = program
    .command("reproduce")
    .description("run a preset sweep of the paper's two models (Model 1: a at g = pi/2; Model 2: g at a = 0), then write the report")
    .option("--out <dir>", "the sweep directory (default: ./reproduce-<preset>)");
  sweepOptions(reproduce, "required").action(async (o: SweepCliOptions, cmd: Command) => sweepAction(o, cmd, ["reproduce", ...rawArgs(cmd)]));

  program
    .command("report")
    .description("write DIR/report.html (self-contained: plots, table, configuration, findings) and the plots of a sweep directory")
    .argument("<dir>", "a directory written by nq sweep or nq reproduce")
    .option("--no-png", "write SVG plots only")
    .option("--json", "print the findings as JSON on stdout")
    .action(async (dir: string, o: { png: boolean; json?: boolean }) => {
      const r = await writeReport(resolve(dir), { png: o.png });
      if (o.json) process.stdout.write(`${JSON.stringify({ report: r.path, finished: r.records.length, cells: r.cellsTotal, findings: r.findings })}\n`);
      else process.stdout.write(`${[...findingsLines(r.findings, r.records[0]?.shots ?? 1), `report: ${r.path} (${r.records.length}/${r.cellsTotal} cells)`].join("\n")}\n`);
    });
}

/** The options as typed, for the report's record of how the sweep was run. */
function rawArgs(cmd: Command): string[] {
  const out: string[] = [];
  for (const opt of cmd.options) {
    const key = opt.attributeName();
    const source = cmd.getOptionValueSource(key);
    if (source !== "cli") continue;
    const v = cmd.getOptionValue(key) as unknown;
    // Booleans given on the command line are the flag itself (--bias, --no-png).
    out.push(...(typeof v === "boolean" ? [opt.long!] : [opt.long!, String(v)]));
  }
  return out;
}
