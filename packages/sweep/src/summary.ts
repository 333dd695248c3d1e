import { meanStd } from "@natural-quantization/core";
import type { RunRecord } from "./experiment.js";

/** The fields of a cell's record that the statistics use. */
export type CellResult = Pick<RunRecord, "a" | "g" | "seed" | "testError1" | "testError1Stderr" | "testErrorK" | "testErrorKStderr">;

/** Mean and sample standard deviation over seeds, and the standard error of the mean. */
export interface SeedStat {
  readonly mean: number;
  readonly std: number;
  /** std / sqrt(n) over n >= 2 seeds; with one seed, that run's binomial standard error. */
  readonly se: number;
  /** One value per seed, in the order of `SummaryRow.seeds`. */
  readonly values: readonly number[];
}

/** One setting (a, g) over its seeds. */
export interface SummaryRow {
  readonly a: number;
  readonly g: number;
  readonly seeds: readonly number[];
  readonly n: number;
  readonly oneShot: SeedStat;
  readonly kShot: SeedStat;
}

function seedStat(values: number[], binomialStderr: number[]): SeedStat {
  const { mean, std, n } = meanStd(values);
  return { mean, std, se: n >= 2 ? std / Math.sqrt(n) : binomialStderr[0], values };
}

/** Groups records by (a, g), sorted by a then g, and computes the statistics over seeds. */
export function summarize(records: readonly CellResult[]): SummaryRow[] {
  const groups = new Map<string, CellResult[]>();
  for (const r of records) {
    const k = `${r.a}|${r.g}`;
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  const sorted = [...groups.values()].sort((x, y) => x[0].a - y[0].a || x[0].g - y[0].g);
  return sorted.map((rs) => ({
    a: rs[0].a,
    g: rs[0].g,
    seeds: rs.map((r) => r.seed),
    n: rs.length,
    oneShot: seedStat(rs.map((r) => r.testError1), rs.map((r) => r.testError1Stderr)),
    kShot: seedStat(rs.map((r) => r.testErrorK), rs.map((r) => r.testErrorKStderr)),
  }));
}

export const SUMMARY_COLUMNS = ["a", "g", "n_seeds", "one_shot_error_mean", "one_shot_error_std", "k_shot_error_mean", "k_shot_error_std"] as const;

/** Error rates as fractions rounded to 1e-6 (a test set of up to 10^6 images is exact). */
const r6 = (v: number) => String(Number(v.toFixed(6)));

/** summary.csv: one line per setting; errors are fractions, std is the sample std over seeds. */
export function summaryCsv(rows: readonly SummaryRow[]): string {
  const lines = rows.map((r) => [String(r.a), String(r.g), String(r.n), r6(r.oneShot.mean), r6(r.oneShot.std), r6(r.kShot.mean), r6(r.kShot.std)].join(","));
  return `${[SUMMARY_COLUMNS.join(","), ...lines].join("\n")}\n`;
}
