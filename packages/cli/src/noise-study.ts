import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { PlotSpec } from "@natural-quantization/sweep";
import { Tokens, UserError, type EvalResult } from "@natural-quantization/core";
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
    .option("--target <name|file>", "heron, eagle or a target JSON file: noise from the device's properties")
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
      const records = readJson(join(dir, "results.json"), "sweep results") as Array<{ key: string; seed: number; dataset: string; trainSize: number; testSize: number }>;
      if (!Array.isArray(records) || records.length === 0) throw new UserError(`${dir}/results.json has no finished cells; run or aggregate the sweep first`);
      const shots = parseInteger("shots", o.shots, 1);
      const seed = parseInteger("seed", o.seed, 0, 0xffffffff);
      const rows: NoiseStudyRow[] = [];
      const progress = stderrProgress();
      try {
        for (const [i, rec] of records.entries()) {
          const weights = join(dir, "cells", rec.key, "weights.json");
          if (!existsSync(weights)) throw new UserError(`cell ${rec.key} has no weights.json (${weights}); finish the sweep first`);
          const ck = loadCheckpoint(weights);
          await ensureDataset(ck.dataset.name, { onProgress: printDownloadProgress });
          const testSize = o.testSize === undefined ? rec.testSize : parseInteger("test-size", o.testSize, 1);
          const data = loadDataset(ck.dataset.name, { trainSize: ck.dataset.trainSize, testSize });
          for (const condition of ["noise-free", "noisy"] as const) {
            progress.setContext(`noise study ${i + 1}/${records.length} ${rec.key} ${condition}: `);
            const c = await composeMachine({ backend: o.backend, ...(condition === "noisy" ? { noise } : {}) }, progress.reporter());
            let ev: EvalResult;
            try {
              ev = await c.resolve(Tokens.Trainer).evaluate({ network: ck.network, weights: ck.weights, split: data.test, shots, seed });
            } finally {
              disposeMachine(c);
            }
            rows.push({ key: rec.key, a: ck.network.neuron.a, g: ck.network.neuron.g, seed: rec.seed, condition, testError1: ev.oneShot.error, testErrorK: ev.kShot.error, testSize: data.test.n, shots });
          }
          const [free, noisy] = rows.slice(-2);
          progress.setContext("");
          progress.line(`noise study ${i + 1}/${records.length} ${rec.key}: ${shots}-shot error ${pct(free.testErrorK)} noise-free, ${pct(noisy.testErrorK)} noisy`);
        }
      } finally {
        progress.close();
      }
      const out = join(dir, "noise-study");
      const label = o.target ? `${o.target}-like device noise` : `noise of ${o.noise}`;
      writeJsonAtomic(join(out, "results.json"), { noise, source: o.target ?? o.noise, label, rows });
      writeFileAtomic(join(out, "summary.csv"), summaryCsv(rows));
      await writePlot(out, rows, label);
      process.stderr.write(`wrote ${out}/results.json, summary.csv and plots/error-vs-a-noise.{svg,png}\n`);
    });
}

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
