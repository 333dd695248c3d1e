import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { HALF_PI } from "@natural-quantization/core";
import { writeFileAtomic } from "@natural-quantization/core/node";
import type { SweepSettings } from "./config.js";
import { isClassical, selectCurve, type Curve, type Findings } from "./findings.js";
import { installTextMetrics } from "./fontmetrics.js";
import { formatG } from "./grid.js";
import type { CellRecord } from "./runner.js";
import type { SummaryRow } from "./summary.js";

/** A figure of a sweep: its file name (without extension) and its Vega-Lite specification. */
export interface Plot {
  readonly name: string;
  readonly title: string;
  readonly spec: TopLevelSpec;
}

export interface PlotInput {
  readonly settings: SweepSettings;
  readonly rows: readonly SummaryRow[];
  readonly records: readonly CellRecord[];
  readonly findings: Findings;
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const WIDTH = 520;
const HEIGHT = 300;
const COLORS = { oneShot: "#1f77b4", kShot: "#d62728" } as const;
const PI_LABEL = "π/2";

/** One line describing what was trained, for subtitles. */
export function describeSettings(s: SweepSettings): string {
  return `${s.dataset} ${s.trainSize ?? "all"}/${s.testSize ?? "all"}, ${s.width}×${s.depth - 1} qubits, ${s.epochs} epochs, lr ${s.lr}, batch ${s.batch}`;
}

const seedsText = (rows: readonly SummaryRow[]) => {
  const ns = [...new Set(rows.map((r) => r.n))];
  return ns.length === 1 ? `${ns[0]} seed${ns[0] === 1 ? "" : "s"}` : `${Math.min(...ns)}-${Math.max(...ns)} seeds`;
};

/** Two points per setting (one-shot, k-shot), in percent, with error bars of the std over seeds. */
function errorPoints(curve: Curve, shots: number) {
  const kLabel = `${shots}-shot majority vote`;
  return curve.rows.flatMap((r) =>
    (["oneShot", "kShot"] as const).map((m) => ({
      x: r[curve.along],
      metric: m === "oneShot" ? "one-shot" : kLabel,
      mean: 100 * r[m].mean,
      lo: 100 * (r[m].mean - r[m].std),
      hi: 100 * (r[m].mean + r[m].std),
      seeds: r.n,
      classical: isClassical(r),
    })),
  );
}

function errorSpec(curve: Curve, input: PlotInput): TopLevelSpec {
  const { settings, findings } = input;
  const along = curve.along;
  const values = errorPoints(curve, settings.shots);
  const kLabel = `${settings.shots}-shot majority vote`;
  const xTitle = along === "a" ? "quantumness a (dimensionless; a = 0 is classical)" : "entanglement angle g (rad; g = π/2 is projective)";
  const fixedText = along === "a" ? `g = ${formatG(curve.fixed).replace("pi/2", PI_LABEL)}` : `a = ${curve.fixed}`;
  const title = along === "a" ? "Model 1: test error against quantumness a" : "Model 2: test error against entanglement angle g";
  const hasClassical = values.some((v) => v.classical);
  const subtitle = [`${fixedText}; mean ± std over ${seedsText(curve.rows)}; ${describeSettings(settings)}`];
  if (hasClassical) subtitle.push("□ marks the classical network (a = 0, g = π/2)");
  const xAxis =
    along === "g"
      ? { values: [0, 0.25, 0.5, 0.75, 1, 1.25, HALF_PI], labelExpr: `abs(datum.value - ${HALF_PI}) < 1e-6 ? '${PI_LABEL}' : format(datum.value, '.2~f')` }
      : { tickCount: 8 };
  const x = { field: "x", type: "quantitative" as const, title: xTitle, axis: xAxis, scale: along === "g" ? { domain: [0, HALF_PI] } : { zero: true } };
  const color = {
    field: "metric",
    type: "nominal" as const,
    title: "evaluation",
    scale: { domain: ["one-shot", kLabel], range: [COLORS.oneShot, COLORS.kShot] },
    // Below the plot: inside, it would cover the curve wherever that runs.
    legend: { orient: "bottom" as const, direction: "horizontal" as const, labelLimit: 400 },
  };
  // Layers are checked by Vega-Lite when compiled; its deep layer types add nothing here.
  const layers: Array<Record<string, unknown>> = [
    { mark: { type: "errorbar", ticks: true, thickness: 1.5 }, encoding: { x, y: { field: "lo", type: "quantitative", title: "test error (%)" }, y2: { field: "hi" }, color } },
    { mark: { type: "line", point: { filled: true, size: 45 }, strokeWidth: 2 }, encoding: { x, y: { field: "mean", type: "quantitative" }, color } },
  ];
  if (hasClassical) {
    layers.push(
      { transform: [{ filter: "datum.classical" }], mark: { type: "point", shape: "square", size: 320, strokeWidth: 1.5, color: "black", opacity: 1 }, encoding: { x, y: { field: "mean", type: "quantitative" } } },
      { transform: [{ filter: `datum.classical && datum.metric == '${kLabel}'` }], mark: { type: "text", text: "classical", dx: along === "a" ? 14 : -14, dy: along === "a" ? -14 : 20, align: along === "a" ? "left" : "right", fontSize: 11 }, encoding: { x, y: { field: "mean", type: "quantitative" } } },
    );
  }
  if (along === "g") {
    const chance = 100 * findings.chance;
    layers.push(
      { data: { values: [{ y: chance }] }, mark: { type: "rule", strokeDash: [4, 4], color: "gray" }, encoding: { y: { field: "y", type: "quantitative" } } },
      { data: { values: [{ y: chance, x: 0.02 }] }, mark: { type: "text", text: `chance (${chance.toFixed(0)}%)`, align: "left", dy: -7, color: "gray", fontSize: 11 }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } },
    );
    const gc = findings.kShot.model2?.gc;
    if (gc && gc.value !== null && findings.kShot.model2?.curve.fixed === curve.fixed) {
      subtitle.push("dashed line and band: g_c, where the k-shot error crosses halfway to chance, ± its uncertainty");
      const u = Number.isFinite(gc.uncertainty) ? gc.uncertainty : 0;
      layers.unshift({ data: { values: [{ lo: Math.max(0, gc.value - u), hi: Math.min(HALF_PI, gc.value + u) }] }, mark: { type: "rect", color: "#999", opacity: 0.15 }, encoding: { x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } } });
      layers.push(
        { data: { values: [{ x: gc.value }] }, mark: { type: "rule", strokeDash: [6, 3], color: "black" }, encoding: { x: { field: "x", type: "quantitative" } } },
        { data: { values: [{ x: gc.value, y: 0 }] }, mark: { type: "text", text: `g_c ≈ ${gc.value.toFixed(2)} ± ${u.toFixed(2)} (k-shot)`, align: "left", baseline: "bottom", dx: 5, dy: -6, fontSize: 11 }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } },
      );
    }
  }
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: HEIGHT,
    title: { text: title, subtitle, anchor: "start" },
    data: { values },
    layer: layers,
    config: { font: "DejaVu Sans, Liberation Sans, Arial, sans-serif", background: "white" },
  } as unknown as TopLevelSpec;
}

function trainingSpec(curve: Curve, input: PlotInput): TopLevelSpec | null {
  const along = curve.along;
  const other = along === "a" ? "g" : "a";
  const values: Array<{ epoch: number; error: number; label: string; order: number }> = [];
  for (const row of curve.rows) {
    const recs = input.records.filter((r) => r.a === row.a && r.g === row.g);
    const epochs = Math.max(0, ...recs.map((r) => r.history.length));
    for (let e = 0; e < epochs; e++) {
      const errs = recs.map((r) => r.history[e]?.testError1).filter((v): v is number => typeof v === "number");
      if (errs.length === 0) continue;
      const label = (along === "a" ? `a = ${row.a}` : `g = ${formatG(row.g).replace("pi/2", PI_LABEL)}`) + (isClassical(row) ? " (classical)" : "");
      values.push({ epoch: e + 1, error: (100 * errs.reduce((s, v) => s + v, 0)) / errs.length, label, order: row[along] });
    }
  }
  if (values.length === 0) return null;
  const labels = [...new Map(values.map((v) => [v.label, v.order])).entries()].sort((x, y) => x[1] - y[1]).map(([l]) => l);
  const epochs = Math.max(...values.map((v) => v.epoch));
  const fixedText = other === "g" ? `g = ${formatG(curve.fixed).replace("pi/2", PI_LABEL)}` : `a = ${curve.fixed}`;
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: HEIGHT,
    title: {
      text: `Training curves, ${along === "a" ? "Model 1" : "Model 2"} (${fixedText})`,
      subtitle: [`one-shot test error after each epoch, mean over ${seedsText(curve.rows)}; ${describeSettings(input.settings)}`],
      anchor: "start",
    },
    data: { values },
    // Points only while there are few epochs; over 100 they would hide the lines.
    mark: { type: "line", point: epochs <= 20 ? { filled: true, size: 25 } : false, strokeWidth: 1.5 },
    encoding: {
      x: { field: "epoch", type: "quantitative", title: "epoch", axis: { tickMinStep: 1, format: "d" } },
      y: { field: "error", type: "quantitative", title: "test error (%), one-shot" },
      color: { field: "label", type: "ordinal", title: along === "a" ? "quantumness a" : "angle g (rad)", sort: labels, scale: { scheme: "viridis" } },
    },
    config: { font: "DejaVu Sans, Liberation Sans, Arial, sans-serif", background: "white" },
  } as TopLevelSpec;
}

/** The sweep's figures: error against a and against g, and the training curves of each. */
export function buildPlots(input: PlotInput): Plot[] {
  const errors: Plot[] = [];
  const training: Plot[] = [];
  for (const along of ["a", "g"] as const) {
    const curve = selectCurve(input.rows, along);
    if (!curve) continue;
    errors.push({ name: `error-vs-${along}`, title: along === "a" ? "Test error against quantumness a (Model 1)" : "Test error against entanglement angle g (Model 2)", spec: errorSpec(curve, input) });
    const t = trainingSpec(curve, input);
    if (t) training.push({ name: `training-${along}`, title: `Training curves along ${along} (${along === "a" ? "Model 1" : "Model 2"})`, spec: t });
  }
  return [...errors, ...training];
}

/** Vega-Lite to SVG, headless: Vega's "none" renderer needs no canvas. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  installTextMetrics();
  const quiet = vega.logger(vega.Error);
  const compiled = compile(spec, { logger: quiet }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The text of PNGs is drawn with DejaVu Sans from the dejavu-fonts-ttf npm package: present on
 * every install (no system fonts needed) and the face fontmetrics.ts measures, so labels fit.
 */
function fontFiles(): string[] {
  const dir = join(dirname(createRequire(import.meta.url).resolve("dejavu-fonts-ttf/package.json")), "ttf");
  return [join(dir, "DejaVuSans.ttf"), join(dir, "DejaVuSans-Bold.ttf")];
}

/** SVG to PNG at twice the SVG's size. */
export function svgToPng(svg: string): Buffer {
  const r = new Resvg(svg, {
    fitTo: { mode: "zoom", value: 2 },
    background: "white",
    font: { loadSystemFonts: false, fontFiles: fontFiles(), defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  return r.render().asPng();
}

/** Writes plots/<name>.svg (and .png) for each plot; returns the SVG texts by name. */
export async function writePlots(dir: string, plots: readonly Plot[], options: { png: boolean }): Promise<Map<string, string>> {
  const svgs = new Map<string, string>();
  for (const p of plots) {
    const svg = await renderSvg(p.spec);
    svgs.set(p.name, svg);
    writeFileAtomic(join(dir, "plots", `${p.name}.svg`), svg);
    writeFileAtomic(join(dir, "plots", `${p.name}.vl.json`), `${JSON.stringify(p.spec, null, 2)}\n`);
  }
  if (options.png) for (const p of plots) writeFileAtomic(join(dir, "plots", `${p.name}.png`), svgToPng(svgs.get(p.name)!));
  return svgs;
}
