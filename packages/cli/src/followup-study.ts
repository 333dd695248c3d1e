import { join, resolve } from "node:path";
import type { Command } from "commander";
import { UserError } from "@natural-quantization/core";
import { readJson, writeFileAtomic, writeJsonAtomic } from "@natural-quantization/core/node";
import { renderSvg, svgToPng, type PlotSpec, type SweepSettings } from "@natural-quantization/sweep";
import { parseInteger } from "@natural-quantization/core";
import { loadHardware } from "./hardware-module.js";
import { evaluateSweepCells, voteRows, type CellEvaluation, type StudyCondition } from "./noise-study.js";
import type { DeclaredOptions } from "./plugin-options.js";
import { rawArgs, sweepAction, sweepOptions, type SweepCliOptions } from "./sweep-commands.js";
import { FOLLOWUP_PUBLISHED } from "./followup-published.js";

const PUBLISHED_DEVICE = "published: superconducting device (55 images)";
const PUBLISHED_SIMULATION = "published: authors' simulation (55 images)";

/** The study's name for its sweep preset (packages/sweep/src/presets.ts). */
export const FOLLOWUP_PRESET = "followup";
/** The superconducting and the trapped-ion target whose noise is simulated by default. */
export const FOLLOWUP_TARGETS = "eagle,aria";

interface FollowupCliOptions extends SweepCliOptions {
  targets: string;
  voteImages: string;
  evalSeed: string;
}

/** What DIR/followup-study/results.json holds. */
export interface FollowupStudy {
  readonly format: "nq-followup-study/1";
  readonly shots: number;
  readonly voteImages: number;
  /** The vote's images: rows of the test split (the same for every network). */
  readonly voteRows: readonly number[];
  readonly evalSeed: number;
  readonly conditions: ReadonlyArray<{ name: string; target: string | null; kind: DeviceKind | null }>;
  readonly published: typeof FOLLOWUP_PUBLISHED;
  readonly rows: readonly CellEvaluation[];
}

/**
 * `nq followup-study --out DIR`: the design of arXiv:2507.21222 in simulation. Trains the study's
 * grid (the `followup` preset, resumable like any sweep), then evaluates every network
 * noise-free and under each target's noise, on the full test split and on a fixed sample of
 * --vote-images images, both by a majority vote of --shots passes; writes
 * DIR/followup-study/{results.json, summary.csv, followup.svg, followup.png}.
 */
export function registerFollowupStudyCommand(program: Command, declared: readonly DeclaredOptions[] = []): void {
  const cmd = program
    .command("followup-study")
    .description("the follow-up study (arXiv:2507.21222) in simulation: train its 16-wide htanh network over its a values, then evaluate noise-free and under superconducting and trapped-ion noise, on 55 images and the full test set; writes data and a figure beside the published accuracies")
    .option("--out <dir>", "the study's sweep directory; re-running the same command there continues an interrupted run");
  sweepOptions(cmd, "fixed", declared)
    .option("--targets <list>", "comma list of targets whose noise is simulated (heron, eagle, aria, a target JSON file or an IBM snapshot directory)", FOLLOWUP_TARGETS)
    .option("--vote-images <n>", "test images of the small vote, drawn once with --eval-seed (the study: 55)", "55")
    .option("--eval-seed <n>", "seed of the evaluation's draws and of the vote's images", "0");
  for (const opt of cmd.options) {
    if (opt.long === "--shots") opt.description = "passes per image of the majority vote, in training's evaluation and in the study (the study: 10)";
  }
  cmd.action(async (o: FollowupCliOptions, c: Command) => {
    if (o.out === undefined) throw new UserError("give the study's directory: nq followup-study --out DIR");
    const voteImages = parseInteger("vote-images", o.voteImages, 1);
    const evalSeed = parseInteger("eval-seed", o.evalSeed, 0, 0xffffffff);
    const conditions = await targetConditions(o.targets);
    const done = await sweepAction({ ...o, preset: FOLLOWUP_PRESET }, c, ["followup-study", ...rawArgs(c)], declared);
    if (!done) return;
    const dir = resolve(o.out);
    const settings = (readJson(join(dir, "sweep.json"), "sweep manifest") as { settings: SweepSettings }).settings;
    const rows = await evaluateSweepCells(dir, {
      conditions: conditions.map((x) => x.condition),
      shots: settings.shots,
      seed: evalSeed,
      backend: settings.backend,
      ...(settings.backendSettings ? { backendSettings: settings.backendSettings } : {}),
      voteImages,
    });
    const study: FollowupStudy = {
      format: "nq-followup-study/1",
      shots: settings.shots,
      voteImages,
      voteRows: voteRows(rows.find((r) => r.images === "full")!.testSize, voteImages, evalSeed),
      evalSeed,
      conditions: conditions.map((x) => ({ name: x.condition.name, target: x.target, kind: x.kind })),
      published: FOLLOWUP_PUBLISHED,
      rows,
    };
    const out = join(dir, "followup-study");
    writeJsonAtomic(join(out, "results.json"), study);
    writeFileAtomic(join(out, "summary.csv"), followupCsv(rows));
    const svg = await renderSvg(followupPlotSpec(study));
    writeFileAtomic(join(out, "followup.svg"), svg);
    writeFileAtomic(join(out, "followup.png"), svgToPng(svg));
    process.stderr.write(`wrote ${out}/results.json, summary.csv, followup.svg and followup.png\n`);
  });
}

export type DeviceKind = "superconducting" | "trapped ions";

/** Noise-free, then one condition per target, named after the target ("eagle-like noise"). */
async function targetConditions(list: string): Promise<Array<{ condition: StudyCondition; target: string | null; kind: DeviceKind | null }>> {
  const { isTrappedIonTarget, noiseFromTarget, resolveTarget } = await loadHardware();
  const names = list.split(",").map((x) => x.trim()).filter((x) => x.length > 0);
  if (names.length === 0) throw new UserError(`--targets "${list}" names no target; give e.g. ${FOLLOWUP_TARGETS}`);
  const out: Array<{ condition: StudyCondition; target: string | null; kind: DeviceKind | null }> = [{ condition: { name: "noise-free", noise: null }, target: null, kind: null }];
  for (const name of names) {
    const target = resolveTarget(name);
    const kind: DeviceKind = isTrappedIonTarget(target) ? "trapped ions" : "superconducting";
    out.push({ condition: { name: `${target.name} noise`, noise: noiseFromTarget(target) }, target: name, kind });
  }
  return out;
}

interface Point {
  readonly a: number;
  readonly condition: string;
  readonly images: "full" | "vote";
  readonly metric: "one-shot" | "vote";
  readonly mean: number;
  readonly std: number;
  readonly seeds: number;
  readonly testSize: number;
}

/** Accuracy (1 - error) per (a, condition, images, metric): mean and standard deviation over seeds. */
export function followupPoints(rows: readonly CellEvaluation[]): Point[] {
  const groups = new Map<string, { a: number; condition: string; images: "full" | "vote"; metric: "one-shot" | "vote"; testSize: number; values: number[] }>();
  for (const r of rows) {
    for (const [metric, err] of [["one-shot", r.testError1], ["vote", r.testErrorK]] as const) {
      const k = `${r.a}|${r.condition}|${r.images}|${metric}`;
      const g = groups.get(k) ?? { a: r.a, condition: r.condition, images: r.images, metric, testSize: r.testSize, values: [] };
      g.values.push(1 - err);
      groups.set(k, g);
    }
  }
  return [...groups.values()].map((g) => {
    const mean = g.values.reduce((s, v) => s + v, 0) / g.values.length;
    const std = g.values.length > 1 ? Math.sqrt(g.values.reduce((s, v) => s + (v - mean) ** 2, 0) / (g.values.length - 1)) : 0;
    return { a: g.a, condition: g.condition, images: g.images, metric: g.metric, mean, std, seeds: g.values.length, testSize: g.testSize };
  });
}

function followupCsv(rows: readonly CellEvaluation[]): string {
  const lines = ["a,condition,images,test_images,metric,mean_accuracy,std_accuracy,seeds"];
  for (const p of followupPoints(rows)) lines.push(`${p.a},${p.condition},${p.images},${p.testSize},${p.metric},${p.mean},${p.std},${p.seeds}`);
  return lines.join("\n") + "\n";
}

/**
 * The figure: vote accuracy against a, one panel for the small vote (with the study's published
 * device and simulation accuracies) and one for the full test split; colour = condition.
 */
export function followupPlotSpec(study: FollowupStudy): PlotSpec {
  const points = followupPoints(study.rows).filter((p) => p.metric === "vote");
  const full = points.find((p) => p.images === "full")?.testSize ?? 0;
  const panel = (images: "full" | "vote") => (images === "vote" ? `${study.voteImages} images, ${study.shots}-pass vote` : `full test split (${full} images), ${study.shots}-pass vote`);
  const label = new Map(study.conditions.map((c) => [c.name, `simulated: ${c.name}${c.kind ? ` (${c.kind})` : ""}`]));
  const values: Array<Record<string, number | string>> = points.map((p) => ({
    a: p.a, condition: label.get(p.condition) ?? `simulated: ${p.condition}`, panel: panel(p.images), mean: p.mean, lo: p.mean - p.std, hi: p.mean + p.std,
  }));
  const pub = study.published;
  const published = [PUBLISHED_DEVICE, PUBLISHED_SIMULATION];
  pub.a.forEach((a, i) => {
    values.push({ a, condition: PUBLISHED_DEVICE, panel: panel("vote"), mean: pub.superconductingDevice[i], lo: pub.superconductingDevice[i], hi: pub.superconductingDevice[i] });
    values.push({ a, condition: PUBLISHED_SIMULATION, panel: panel("vote"), mean: pub.authorsSimulation[i], lo: pub.authorsSimulation[i], hi: pub.authorsSimulation[i] });
  });
  // Simulated conditions in grey, orange, blue, green...; the published ones in the authors' purple and coral.
  const simulated = [...new Set(study.conditions.map((c) => label.get(c.name)!))];
  const palette = ["#333333", "#e67e22", "#2874a6", "#1e8449", "#7d3c98"];
  const seeds = Math.max(...points.map((p) => p.seeds));
  const x = { field: "a", type: "quantitative" as const, title: "quantumness a (a = 0 is classical)" };
  const y = { field: "mean", type: "quantitative" as const, title: "fraction correct", scale: { zero: false } };
  const color = {
    field: "condition",
    type: "nominal" as const,
    title: null,
    scale: { domain: [...simulated, ...published], range: [...simulated.map((_, i) => palette[i % palette.length]), "#8e44ad", "#f08080"] },
    legend: { orient: "bottom" as const, columns: 2, labelLimit: 400, symbolType: "stroke", symbolStrokeWidth: 2 },
  };
  const isPublished = { field: "condition", oneOf: published };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "The follow-up study's network in simulation: noise-free, superconducting and trapped-ion noise", subtitle: `simulated: mean ± std over ${seeds} training seeds; published (dashed): one run each, read off the authors' repository` },
    data: { values },
    facet: { column: { field: "panel", type: "nominal", title: null, sort: [panel("vote"), panel("full")] } },
    spec: {
      width: 380,
      height: 280,
      layer: [
        { mark: { type: "line", point: true }, encoding: { x, y, color, strokeDash: { condition: { test: isPublished, value: [6, 4] }, value: [1, 0] } } },
        { transform: [{ filter: { not: isPublished } }], mark: { type: "errorbar" }, encoding: { x, y: { field: "lo", type: "quantitative", title: "fraction correct" }, y2: { field: "hi" }, color } },
      ],
    },
  };
}
