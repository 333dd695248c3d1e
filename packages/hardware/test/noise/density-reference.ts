/**
 * An independent reference for the tests: a real 2x2 density matrix [[a, c], [c, b]] and the
 * channels written as Kraus operators / textbook matrix forms, not as Bloch-plane maps.
 */
export interface Rho {
  a: number; // <0|rho|0>
  b: number; // <1|rho|1>
  c: number; // <0|rho|1> (real)
}

export const pure = (alpha: number): Rho => {
  const c0 = Math.cos(alpha / 2), s0 = Math.sin(alpha / 2);
  return { a: c0 * c0, b: s0 * s0, c: c0 * s0 };
};

/** ry(theta) = [[cos, -sin], [sin, cos]] (theta/2), applied as U rho U^T. */
export function ry(r: Rho, theta: number): Rho {
  const co = Math.cos(theta / 2), si = Math.sin(theta / 2);
  const u = [[co, -si], [si, co]];
  const m = [[r.a, r.c], [r.c, r.b]];
  const um = [0, 1].map((i) => [0, 1].map((j) => u[i][0] * m[0][j] + u[i][1] * m[1][j]));
  const out = [0, 1].map((i) => [0, 1].map((j) => um[i][0] * u[j][0] + um[i][1] * u[j][1]));
  return { a: out[0][0], b: out[1][1], c: out[0][1] };
}

/** (1 - 3 lambda/4) rho + (lambda/4)(X rho X + Y rho Y + Z rho Z). */
export function depolarize(r: Rho, lambda: number): Rho {
  const x = { a: r.b, b: r.a, c: r.c };
  const y = { a: r.b, b: r.a, c: -r.c };
  const z = { a: r.a, b: r.b, c: -r.c };
  const w = 1 - (3 * lambda) / 4, v = lambda / 4;
  return { a: w * r.a + v * (x.a + y.a + z.a), b: w * r.b + v * (x.b + y.b + z.b), c: w * r.c + v * (x.c + y.c + z.c) };
}

/** Kraus K0 = diag(1, sqrt(1 - gamma)), K1 = sqrt(gamma) |0><1|. */
export function amplitudeDamp(r: Rho, gamma: number): Rho {
  return { a: r.a + gamma * r.b, b: (1 - gamma) * r.b, c: Math.sqrt(1 - gamma) * r.c };
}

/** Populations relax toward |0> with T1, coherences decay with T2. */
export function thermalRelax(r: Rho, t1: number, t2: number, time: number): Rho {
  const e1 = Math.exp(-time / t1);
  return { a: 1 - r.b * e1, b: r.b * e1, c: r.c * Math.exp(-time / t2) };
}

/** The unnormalised state after true outcome m with M(m) = diag(sqrt((1 + m s)/2), sqrt((1 - m s)/2)). */
export function measureTrue(r: Rho, m: 1 | -1, g: number): Rho {
  const s = Math.sin(g);
  const k0 = Math.sqrt((1 + m * s) / 2), k1 = Math.sqrt(Math.max(0, (1 - m * s) / 2));
  return { a: k0 * k0 * r.a, b: k1 * k1 * r.b, c: k0 * k1 * r.c };
}

/** P(reported m) and the state conditioned on it, with confusion P(reported | true). */
export function measureReported(r: Rho, reported: 1 | -1, g: number, p01: number, p10: number): { p: number; rho: Rho } {
  const plus = measureTrue(r, 1, g), minus = measureTrue(r, -1, g);
  const wPlus = reported === 1 ? 1 - p01 : p01;
  const wMinus = reported === 1 ? p10 : 1 - p10;
  const u = { a: wPlus * plus.a + wMinus * minus.a, b: wPlus * plus.b + wMinus * minus.b, c: wPlus * plus.c + wMinus * minus.c };
  const p = u.a + u.b;
  return { p, rho: { a: u.a / p, b: u.b / p, c: u.c / p } };
}
