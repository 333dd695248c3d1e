import { HALF_PI } from "@natural-quantization/core";
import type { SeedStat, SummaryRow } from "./summary.js";

export type Metric = "oneShot" | "kShot";
export const METRICS: readonly Metric[] = ["oneShot", "kShot"];

/** A line through the grid: error against `along` with the other parameter held at `fixed`. */
export interface Curve {
  readonly along: "a" | "g";
  readonly fixed: number;
  /** Sorted by the `along` value. */
  readonly rows: readonly SummaryRow[];
}

/** One setting's error under one metric. */
export interface PointStat {
  readonly a: number;
  readonly g: number;
  readonly mean: number;
  readonly std: number;
  readonly se: number;
  readonly n: number;
}

/** classical - best quantum: positive means the quantum setting has the lower error. */
export interface Advantage {
  readonly difference: number;
  /** sqrt(se_classical^2 + se_best^2). */
  readonly se: number;
  /** difference / se. */
  readonly z: number;
}

/** Where the error curve against g crosses halfway between its minimum and chance. */
export interface CriticalG {
  /** null: the curve never rises to the threshold below its minimum ("not observed"). */
  readonly value: number | null;
  readonly threshold: number;
  /** The grid points around the crossing. */
  readonly bracket: readonly [number, number] | null;
  /** Half the bracket's width: the grid's resolution. */
  readonly resolution: number;
  /** Standard deviation of the estimate over bootstrap resamples of the seeds. */
  readonly bootstrapStd: number;
  /** Fraction of bootstrap resamples in which the crossing was observed. */
  readonly bootstrapObserved: number;
  /** sqrt(resolution^2 + bootstrapStd^2). */
  readonly uncertainty: number;
  readonly method: string;
}

export interface CurveFindings {
  readonly curve: Curve;
  /** Lowest mean error on the curve (the classical point included). */
  readonly best: PointStat;
  /** Lowest mean error among the quantum settings (a > 0 for Model 1, g < pi/2 for Model 2). */
  readonly bestQuantum: PointStat | null;
  /** a = 0, g = pi/2, when on the curve. */
  readonly classical: PointStat | null;
  readonly advantage: Advantage | null;
}

export interface MetricFindings {
  readonly model1: CurveFindings | null;
  readonly model2: (CurveFindings & { readonly gc: CriticalG }) | null;
}

export interface Findings {
  readonly numClasses: number;
  /** Error of guessing: 1 - 1/numClasses. */
  readonly chance: number;
  readonly oneShot: MetricFindings;
  readonly kShot: MetricFindings;
}

export const isClassical = (r: { a: number; g: number }) => r.a === 0 && r.g === HALF_PI;

/**
 * The curve along `along`: at the paper's fixed value (g = pi/2 for a, a = 0 for g) when it
 * has two or more points, else at the fixed value with the most points; null if none has two.
 */
export function selectCurve(rows: readonly SummaryRow[], along: "a" | "g"): Curve | null {
  const other = along === "a" ? "g" : "a";
  const preferred = along === "a" ? HALF_PI : 0;
  const groups = new Map<number, SummaryRow[]>();
  for (const r of rows) groups.set(r[other], [...(groups.get(r[other]) ?? []), r]);
  let fixed: number | null = (groups.get(preferred)?.length ?? 0) >= 2 ? preferred : null;
  if (fixed === null) {
    for (const [v, list] of groups) if (list.length >= 2 && (fixed === null || list.length > groups.get(fixed)!.length)) fixed = v;
  }
  if (fixed === null) return null;
  return { along, fixed, rows: [...groups.get(fixed)!].sort((x, y) => x[along] - y[along]) };
}

export function pointStat(r: SummaryRow, metric: Metric): PointStat {
  const s: SeedStat = r[metric];
  return { a: r.a, g: r.g, mean: s.mean, std: s.std, se: s.se, n: r.n };
}

function lowest(rows: readonly SummaryRow[], metric: Metric): PointStat | null {
  let best: SummaryRow | null = null;
  for (const r of rows) if (!best || r[metric].mean < best[metric].mean) best = r;
  return best ? pointStat(best, metric) : null;
}

export function advantage(classical: PointStat, best: PointStat): Advantage {
  const difference = classical.mean - best.mean;
  const se = Math.sqrt(classical.se ** 2 + best.se ** 2);
  return { difference, se, z: se > 0 ? difference / se : difference === 0 ? 0 : Math.sign(difference) * Infinity };
}

function curveFindings(curve: Curve, metric: Metric): CurveFindings {
  const quantum = curve.rows.filter((r) => !isClassical(r) && (curve.along === "a" ? r.a > 0 : r.g < HALF_PI));
  const c = curve.rows.find(isClassical);
  const classical = c ? pointStat(c, metric) : null;
  const bestQuantum = lowest(quantum, metric);
  return {
    curve,
    best: lowest(curve.rows, metric)!,
    bestQuantum,
    classical,
    advantage: classical && bestQuantum ? advantage(classical, bestQuantum) : null,
  };
}

/**
 * The halfway crossing of a mean error curve: from the minimum, scan toward smaller g for the
 * first point at or above (min + chance) / 2 and interpolate linearly between it and its
 * neighbour above in g. `gs` ascending.
 */
export function halfwayCrossing(gs: readonly number[], errors: readonly number[], chance: number): { value: number | null; threshold: number; bracket: readonly [number, number] | null } {
  let m = 0;
  for (let i = 1; i < errors.length; i++) if (errors[i] < errors[m]) m = i;
  const threshold = (errors[m] + chance) / 2;
  if (!(errors[m] < chance)) return { value: null, threshold, bracket: null }; // nothing learned anywhere
  for (let i = m - 1; i >= 0; i--) {
    if (errors[i] >= threshold) {
      const t = (threshold - errors[i]) / (errors[i + 1] - errors[i]);
      return { value: gs[i] + t * (gs[i + 1] - gs[i]), threshold, bracket: [gs[i], gs[i + 1]] };
    }
  }
  return { value: null, threshold, bracket: null };
}

/** Deterministic uniform [0, 1) numbers (mulberry32): the report is the same each time it is made. */
function uniforms(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * g_c with its uncertainty. The spread from the finite number of seeds comes from a bootstrap:
 * each point's seeds are resampled with replacement (with one seed, its error is redrawn from a
 * normal with the binomial standard error). The grid's resolution, half the spacing of the
 * bracketing points, is added in quadrature.
 */
export function estimateCriticalG(curve: Curve, metric: Metric, chance: number, resamples = 2000, seed = 1): CriticalG {
  const gs = curve.rows.map((r) => r.g);
  const stats = curve.rows.map((r) => r[metric]);
  const point = halfwayCrossing(gs, stats.map((s) => s.mean), chance);
  const resolution = point.bracket ? (point.bracket[1] - point.bracket[0]) / 2 : Number.NaN;
  const rand = uniforms(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const draws: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const means = stats.map((s) => {
      const n = s.values.length;
      if (n === 1) return s.values[0] + s.se * normal();
      let sum = 0;
      for (let k = 0; k < n; k++) sum += s.values[Math.floor(rand() * n)];
      return sum / n;
    });
    const v = halfwayCrossing(gs, means, chance).value;
    if (v !== null) draws.push(v);
  }
  const mean = draws.reduce((s, v) => s + v, 0) / draws.length;
  const bootstrapStd = draws.length >= 2 ? Math.sqrt(draws.reduce((s, v) => s + (v - mean) ** 2, 0) / (draws.length - 1)) : Number.NaN;
  const seedsNote = stats.some((s) => s.values.length === 1) ? "; points with one seed redrawn from their binomial standard error" : "";
  return {
    ...point,
    resolution,
    bootstrapStd,
    bootstrapObserved: resamples > 0 ? draws.length / resamples : 0,
    uncertainty: point.value === null ? Number.NaN : Math.sqrt(resolution ** 2 + (Number.isNaN(bootstrapStd) ? 0 : bootstrapStd ** 2)),
    method: `linear interpolation at (min + chance)/2 scanning down in g from the minimum; uncertainty = half the bracketing grid spacing (+) std over ${resamples} bootstrap resamples of the seeds${seedsNote}`,
  };
}

function metricFindings(rows: readonly SummaryRow[], metric: Metric, chance: number): MetricFindings {
  const ca = selectCurve(rows, "a");
  const cg = selectCurve(rows, "g");
  return {
    model1: ca ? curveFindings(ca, metric) : null,
    model2: cg ? { ...curveFindings(cg, metric), gc: estimateCriticalG(cg, metric, chance) } : null,
  };
}

/** Everything the report states about a sweep, computed from its summary rows. */
export function computeFindings(rows: readonly SummaryRow[], numClasses: number): Findings {
  const chance = 1 - 1 / numClasses;
  return { numClasses, chance, oneShot: metricFindings(rows, "oneShot", chance), kShot: metricFindings(rows, "kShot", chance) };
}
