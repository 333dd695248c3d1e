import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { PlotSpec } from "@natural-quantization/sweep";
import { ConfigError, RandomStream, Tokens, UserError, type EvalResult, type PluginOptionValues, type Split } from "@natural-quantization/core";
import { loadCheckpoint, readJson, writeFileAtomic, writeJsonAtomic } from "@natural-quantization/core/node";
import { ensureDataset, loadDataset } from "@natural-quantization/datasets";
import type { NoiseModel } from "@natural-quantization/hardware";
import { composeMachine, disposeMachine } from "./experiment.js";
import { simulatedNoise } from "./hardware-options.js";
import { parseInteger } from "@natural-quantization/core";
import { printDownloadProgress, stderrProgress } from "./progress.js";
import { renderSvg, svgToPng } from "@natural-quantization/sweep";

interface StudyOptions {
  replot?: boolean;
  target?: string;
  noise?: string;
  testSize?: string;
  shots: string;
  seed: string;
  backend: string;
}

/** One cell evaluated twice: noise-free and under the device's noise. */
export interface NoiseStudyRow {
  readonly key: string;
  readonly a: number;
  readonly g: number;
  readonly seed: number;
  readonly condition: "noise-free" | "noisy";
  readonly testError1: number;
  readonly testErrorK: number;
  readonly testSize: number;
  readonly shots: number;
}

/**
 * `nq noise-study DIR`: evaluates every trained cell of a finished sweep noise-free and under a
 * device's noise (a target's properties or a noise file), on a simulator with the exact noisy
 * qubit layer, and writes DIR/noise-study/{results.json, summary.csv, plots/error-vs-a-noise.*}.
 */
export function registerNoiseStudyCommand(program: Command): void {
  program
    .command("noise-study")
    .description("evaluate a finished sweep's networks noise-free and under a device's noise (simulated exactly); writes data and a plot")
    .argument("<dir>", "a sweep directory whose cells are done")
    .option("--target <name|file>", "heron, eagle, aria (trapped ions) or a target JSON file: noise from the device's properties")
    .option("--noise <file>", "noise from a noise JSON file instead")
    .option("--test-size <n>", "test images (default: the size each cell was trained with)")
    .option("--shots <k>", "k of the k-shot evaluation", "15")
    .option("--seed <n>", "seed of the evaluation's draws", "0")
    .option("--backend <name>", "simulator for the dense math", "sim-wasm")
    .option("--replot", "redraw the plot from DIR/noise-study/results.json without evaluating")
    .action(async (dir: string, o: StudyOptions) => {
      if (o.replot) return void (await replot(join(dir, "noise-study")));
      if (!o.target === !o.noise) throw new UserError("give the noise as --target NAME|FILE or --noise FILE (one of them)");
      const noise: NoiseModel = await simulatedNoise(o);
      const shots = parseInteger("shots", o.shots, 1);
      const seed = parseInteger("seed", o.seed, 0, 0xffffffff);
      const testSize = o.testSize === undefined ? undefined : parseInteger("test-size", o.testSize, 1);
      const evaluated = await evaluateSweepCells(dir, { conditions: [{ name: "noise-free", noise: null }, { name: "noisy", noise }], shots, seed, backend: o.backend, testSize });
      const rows: NoiseStudyRow[] = evaluated.map(({ key, a, g, seed: cellSeed, condition, testError1, testErrorK, testSize: n }) => ({
        key, a, g, seed: cellSeed, condition: condition === "noisy" ? "noisy" : "noise-free", testError1, testErrorK, testSize: n, shots,
      }));
      const out = join(dir, "noise-study");
      const label = o.target ? `${o.target}-like device noise` : `noise of ${o.noise}`;
      writeJsonAtomic(join(out, "results.json"), { noise, source: o.target ?? o.noise, label, rows });
      writeFileAtomic(join(out, "summary.csv"), summaryCsv(rows));
      await writePlot(out, rows, label);
      process.stderr.write(`wrote ${out}/results.json, summary.csv and plots/error-vs-a-noise.{svg,png}\n`);
    });
}

/** One way to evaluate: a name, and the noise simulated (null: noise-free). */
export interface StudyCondition {
  readonly name: string;
  readonly noise: NoiseModel | null;
}

/** One cell evaluated under one condition on one set of test images. */
export interface CellEvaluation {
  readonly key: string;
  /** The backend that evaluated it, by the name it gives itself. */
  readonly backend: string;
  readonly a: number;
  readonly g: number;
  readonly seed: number;
  readonly condition: string;
  /** "full": the cell's whole test split (or --test-size of it); "vote": the fixed sample of images. */
  readonly images: "full" | "vote";
  readonly testSize: number;
  readonly shots: number;
  readonly testError1: number;
  readonly testErrorK: number;
  /** Images the k-shot majority vote got wrong (testErrorK x testSize, an integer). */
  readonly wrongK: number;
}

export interface EvaluateCellsOptions {
  readonly conditions: readonly StudyCondition[];
  /** Passes per image: k of the k-shot majority vote. */
  readonly shots: number;
  /** Seed of the evaluation's draws and of the vote's image sample. */
  readonly seed: number;
  readonly backend: string;
  /** Values of the backend's own options (those the sweep's cells were trained with). */
  readonly backendSettings?: PluginOptionValues;
  /** Test images of the "full" evaluation (default: the size each cell was trained with). */
  readonly testSize?: number;
  /** Also evaluate on this many test images drawn once (the same for every cell and condition). */
  readonly voteImages?: number;
}

/**
 * Evaluates every trained cell of a finished sweep in DIR under each condition, on a simulator
 * with the exact noisy qubit layer: on the full test split and, with `voteImages`, on a fixed
 * sample of it. Shows progress on stderr.
 */
export async function evaluateSweepCells(dir: string, o: EvaluateCellsOptions): Promise<CellEvaluation[]> {
  const records = readJson(join(dir, "results.json"), "sweep results") as Array<{ key: string; seed: number; dataset: string; trainSize: number; testSize: number }>;
  if (!Array.isArray(records) || records.length === 0) throw new UserError(`${dir}/results.json has no finished cells; run or aggregate the sweep first`);
  const rows: CellEvaluation[] = [];
  const progress = stderrProgress();
  try {
    for (const [i, rec] of records.entries()) {
      const weights = join(dir, "cells", rec.key, "weights.json");
      if (!existsSync(weights)) throw new UserError(`cell ${rec.key} has no weights.json (${weights}); finish the sweep first`);
      const ck = loadCheckpoint(weights);
      await ensureDataset(ck.dataset.name, { onProgress: printDownloadProgress });
      const data = loadDataset(ck.dataset.name, { trainSize: ck.dataset.trainSize, testSize: o.testSize ?? rec.testSize });
      const splits: Array<["full" | "vote", Split]> = [["full", data.test]];
      if (o.voteImages !== undefined) splits.push(["vote", sampleImages(data.test, data.inputSize, o.voteImages, o.seed)]);
      const summary: string[] = [];
      for (const condition of o.conditions) {
        progress.setContext(`study ${i + 1}/${records.length} ${rec.key} ${condition.name}: `);
        const c = await composeMachine(
          { backend: o.backend, ...(o.backendSettings ? { settings: o.backendSettings } : {}), ...(condition.noise ? { noise: condition.noise } : {}) },
          progress.reporter(),
        );
        try {
          const backend = c.resolve(Tokens.DenseEngine).name;
          for (const [images, split] of splits) {
            const ev: EvalResult = await c.resolve(Tokens.Trainer).evaluate({ network: ck.network, weights: ck.weights, split, shots: o.shots, seed: o.seed });
            rows.push({
              key: rec.key, backend, a: ck.network.neuron.a, g: ck.network.neuron.g, seed: rec.seed, condition: condition.name, images, testSize: split.n, shots: o.shots,
              testError1: ev.oneShot.error, testErrorK: ev.kShot.error, wrongK: Math.round(ev.kShot.error * split.n),
            });
            if (images === "full") summary.push(`${condition.name} ${pct(ev.kShot.error)}`);
          }
        } finally {
          disposeMachine(c);
        }
      }
      progress.setContext("");
      progress.line(`study ${i + 1}/${records.length} ${rec.key}: ${o.shots}-shot error ${summary.join(", ")}`);
    }
  } finally {
    progress.close();
  }
  return rows;
}

/**
 * `count` distinct rows of a split drawn with the seed (a partial Fisher-Yates shuffle on the
 * "split" stream), kept in their original order: the same images for every network.
 */
export function sampleImages(split: Split, inputSize: number, count: number, seed: number): Split {
  const picked = voteRows(split.n, count, seed);
  const x = new Float32Array(count * inputSize);
  const y = new Int32Array(count);
  picked.forEach((row, k) => {
    x.set(split.x.subarray(row * inputSize, (row + 1) * inputSize), k * inputSize);
    y[k] = split.y[row];
  });
  return { n: count, x, y };
}

/** The rows of an n-image test split that {@link sampleImages} picks, ascending. */
export function voteRows(n: number, count: number, seed: number): number[] {
  if (!Number.isInteger(count) || count < 1 || count > n) throw new ConfigError("vote-images", count, `an integer from 1 to the ${n} test images`);
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = new RandomStream(seed, "split", VOTE_SAMPLE_STREAM);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng.uniform() * (n - i));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, count).sort((x, y) => x - y);
}

/** Separates the vote sample's stream from the dataset splits drawn on the same purpose. */
const VOTE_SAMPLE_STREAM = 0x564f5445; // "VOTE"

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

async function writePlot(out: string, rows: readonly NoiseStudyRow[], label: string): Promise<void> {
  const svg = await renderSvg(plotSpec(rows, label, rows[0]?.shots ?? 1));
  writeFileAtomic(join(out, "plots", "error-vs-a-noise.svg"), svg);
  writeFileAtomic(join(out, "plots", "error-vs-a-noise.png"), svgToPng(svg));
}

/** `--replot`: the plot again from a finished study's results.json (older files have no label: built from the source). */
async function replot(out: string): Promise<void> {
  const study = readJson(join(out, "results.json"), "noise study results") as { source?: string; label?: string; rows?: NoiseStudyRow[] };
  if (!Array.isArray(study.rows) || study.rows.length === 0) throw new UserError(`${out}/results.json has no rows; run nq noise-study without --replot first`);
  const label = study.label ?? (study.source === "heron" || study.source === "eagle" ? `${study.source}-like device noise` : `noise of ${study.source}`);
  await writePlot(out, study.rows, label);
  process.stderr.write(`wrote ${out}/plots/error-vs-a-noise.{svg,png}\n`);
}

interface SummaryPoint {
  readonly a: number;
  readonly condition: string;
  readonly metric: string;
  readonly mean: number;
  readonly std: number;
  readonly n: number;
}

/** Mean and standard deviation over seeds per (a, condition, metric). */
function summarize(rows: readonly NoiseStudyRow[], shots: number): SummaryPoint[] {
  const groups = new Map<string, { a: number; condition: string; metric: string; values: number[] }>();
  for (const r of rows) {
    for (const [metric, v] of [["one-shot", r.testError1], [`${shots}-shot`, r.testErrorK]] as const) {
      const k = `${r.a}|${r.condition}|${metric}`;
      const gr = groups.get(k) ?? { a: r.a, condition: r.condition, metric, values: [] };
      gr.values.push(v);
      groups.set(k, gr);
    }
  }
  return [...groups.values()].map((g) => {
    const mean = g.values.reduce((s, v) => s + v, 0) / g.values.length;
    const std = g.values.length > 1 ? Math.sqrt(g.values.reduce((s, v) => s + (v - mean) ** 2, 0) / (g.values.length - 1)) : 0;
    return { a: g.a, condition: g.condition, metric: g.metric, mean, std, n: g.values.length };
  }).sort((x, y) => x.a - y.a || x.condition.localeCompare(y.condition) || x.metric.localeCompare(y.metric));
}

function summaryCsv(rows: readonly NoiseStudyRow[]): string {
  const points = summarize(rows, rows[0]?.shots ?? 1);
  return ["a,condition,metric,mean_error,std_error,seeds", ...points.map((p) => `${p.a},${p.condition},${p.metric},${p.mean},${p.std},${p.n}`)].join("\n") + "\n";
}

/** The figure: error against a, colour = condition, line style = readout (one-shot solid, k-shot dashed). */
export function plotSpec(rows: readonly NoiseStudyRow[], noiseLabel: string, shots: number): PlotSpec {
  const values = summarize(rows, shots).map((p) => ({
    a: p.a,
    condition: p.condition === "noisy" ? noiseLabel : "noise-free",
    metric: p.metric,
    mean: 100 * p.mean,
    lo: 100 * (p.mean - p.std),
    hi: 100 * (p.mean + p.std),
  }));
  // Legend symbols are line samples. Vega does not stroke a strokeDash legend's symbols by itself
  // (they were invisible), so their stroke is set here.
  const symbols = { symbolType: "stroke", symbolSize: 400, symbolStrokeWidth: 2 } as const;
  const x = { field: "a", type: "quantitative" as const, title: "quantumness a (a = 0 is classical)" };
  const color = { field: "condition", type: "nominal" as const, title: null, legend: { orient: "top" as const, labelLimit: 400, ...symbols } };
  const dash = {
    field: "metric",
    type: "nominal" as const,
    title: null,
    scale: { domain: ["one-shot", `${shots}-shot`], range: [[1, 0], [6, 4]] },
    legend: { orient: "top" as const, ...symbols, encode: { symbols: { update: { stroke: { value: "#333" } } } } },
  };
  const y = { field: "mean", type: "quantitative" as const, title: "test error (%)" };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Test error against a, noise-free and under device noise", subtitle: `mean ± std over seeds; ${rows.length / 2} networks; one-shot solid, ${shots}-shot dashed` },
    width: 520,
    height: 300,
    data: { values },
    layer: [
      { mark: { type: "line", point: true }, encoding: { x, y, color, strokeDash: dash, detail: { field: "metric" } } },
      { mark: { type: "errorbar" }, encoding: { x, y: { field: "lo", type: "quantitative", title: "test error (%)" }, y2: { field: "hi" }, color, detail: { field: "metric" } } },
    ],
  };
}
