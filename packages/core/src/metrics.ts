/** Metrics of one finished epoch. */
export interface EpochMetrics {
  readonly epoch: number;
  /** Mean cross-entropy over the epoch's training batches. */
  readonly loss: number;
  /** Error of the (sampled) training forward passes. */
  readonly trainError: number;
  /** One-shot test error after the epoch (null when per-epoch evaluation is off). */
  readonly testError1: number | null;
  readonly seconds: number;
}

/** Error rate with its binomial standard error sqrt(p(1-p)/n). */
export interface ErrorRate {
  readonly error: number;
  readonly stderr: number;
  readonly n: number;
}

export function errorRate(wrong: number, n: number): ErrorRate {
  if (n <= 0) return { error: Number.NaN, stderr: Number.NaN, n: 0 };
  const p = wrong / n;
  return { error: p, stderr: Math.sqrt((p * (1 - p)) / n), n };
}

/** The most frequent class of each row of `votes` ([n, classes] counts); ties to the lowest class. */
export function majority(votes: Int32Array, n: number, classes: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (votes[i * classes + c] > votes[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Mean and sample standard deviation (n - 1); std is 0 for one value. */
export function meanStd(values: readonly number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}
