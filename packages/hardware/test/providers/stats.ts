/** Statistical checks shared by the provider tests: false-alarm rate 1e-6 per check (two-sided z = 4.89). */
export const Z = 4.89;

/** |k - nP| within z standard deviations of a binomial(n, P); exact when P is 0 or 1. */
export function expectBinomial(k: number, n: number, p: number, what: string): void {
  const sd = Math.sqrt(n * p * (1 - p));
  const dev = Math.abs(k - n * p);
  if (dev > Z * sd + 1e-9) throw new Error(`${what}: ${k}/${n} ones vs P = ${p.toFixed(5)} (|dev| ${dev.toFixed(1)} > ${(Z * sd).toFixed(1)})`);
}

/**
 * Pearson chi-square of observed counts against probabilities, compared with the 1 - 1e-6
 * quantile of chi-square(df) by the Wilson-Hilferty approximation. Cells with expected count
 * below 5 are pooled.
 */
export function expectChiSquare(counts: readonly number[], probabilities: readonly number[], what: string): void {
  const n = counts.reduce((a, b) => a + b, 0);
  let chi2 = 0;
  let cells = 0;
  let pooledObs = 0;
  let pooledExp = 0;
  for (let i = 0; i < counts.length; i++) {
    const e = n * probabilities[i];
    if (e < 5) {
      pooledObs += counts[i];
      pooledExp += e;
      if (e === 0 && counts[i] > 0) throw new Error(`${what}: outcome ${i} has probability 0 but was seen ${counts[i]} times`);
      continue;
    }
    chi2 += (counts[i] - e) ** 2 / e;
    cells++;
  }
  if (pooledExp >= 1) {
    chi2 += (pooledObs - pooledExp) ** 2 / pooledExp;
    cells++;
  }
  const df = Math.max(1, cells - 1);
  const critical = chiSquareCritical(df);
  if (chi2 > critical) throw new Error(`${what}: chi-square ${chi2.toFixed(2)} > ${critical.toFixed(2)} (df ${df})`);
}

export function countOnes(shots: readonly Uint8Array[], bit: number): number {
  let k = 0;
  for (const s of shots) k += s[bit];
  return k;
}

/** Outcome index of a shot: bit i of the index is c[i]. */
export function outcomeIndex(shot: Uint8Array): number {
  let v = 0;
  for (let i = 0; i < shot.length; i++) v |= shot[i] << i;
  return v;
}

/** The 1 - 1e-6 quantile of chi-square(df), by the Wilson-Hilferty approximation. */
export function chiSquareCritical(df: number): number {
  const z = 4.753; // one-sided 1 - 1e-6 normal quantile
  return df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
}
