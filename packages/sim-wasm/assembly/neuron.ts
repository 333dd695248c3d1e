// One hidden layer of qubit neurons (core/src/neuron.ts): Philox draws, the float32 screen of
// Model 1, the float64 general path of Model 2, and the register's outcomes and states.

import { F64C, X2_HALF, X2_MINUS_ONE, X2_ONE, X2_QUARTER_PI, X2_TWO_POW_M32, X2_ZERO, cos2, sin2, tanh2 } from "./math64x2";
import { prob32 } from "./math32";
import { QUARTER_PI, TWO_POW_M32, cos64, prob64, sin64, target64 } from "./math64";
import { philoxRow } from "./philox";

/**
 * Mode 2 of neuronLayer for columns [0, pairs * 2) of one row, two qubits at a time (see the
 * scalar loop there for the equations). Returns nothing; writes d, m and the states.
 */
// @ts-ignore: decorator
@inline
function generalPairs(
  zr: usize, dr: usize, mr: usize, sr: usize, words: usize, pairs: i32,
  clean: bool, a: f64, act: i32, sg: f64, m0p: f64, m0m: f64, m1p: f64, m1m: f64,
): void {
  const av = f64x2.splat(a); // z / a as the reference computes it (1/a may overflow)
  const sgv = f64x2.splat(sg);
  const m0b = f64x2.splat(m0m), m0d = f64x2.splat(m0p - m0m);
  const m1b = f64x2.splat(m1m), m1d = f64x2.splat(m1p - m1m);
  for (let q = 0; q < pairs; q++) {
    const j: usize = <usize>q << 1;
    const z = f64x2.promote_low_f32x4(v128.load64_zero(zr + (j << 2)));
    let t: v128;
    if (a == 0) t = v128.bitselect(v128.load(F64C, X2_ONE), v128.load(F64C, X2_MINUS_ONE), f64x2.gt(z, v128.load(F64C, X2_ZERO)));
    else if (act == 0) t = tanh2(f64x2.div(z, av));
    else t = f64x2.pmax(v128.load(F64C, X2_MINUS_ONE), f64x2.pmin(v128.load(F64C, X2_ONE), f64x2.div(z, av)));
    // m of the two qubits as float64 (+1 / -1).
    const mm = f64x2(<f64>load<i8>(mr + j), <f64>load<i8>(mr + j + 1));
    const sj = sr + (j << 4);
    let c: v128, sn: v128;
    if (clean) {
      const h = v128.load(F64C, X2_HALF);
      c = f64x2.mul(h, f64x2.add(v128.load(F64C, X2_ONE), mm));
      sn = f64x2.mul(h, f64x2.sub(v128.load(F64C, X2_ONE), mm));
    } else {
      const q0 = v128.load(sj), q1 = v128.load(sj, 16); // (c0, s0), (c1, s1)
      c = v128.shuffle<f64>(q0, q1, 0, 2);
      sn = v128.shuffle<f64>(q0, q1, 1, 3);
    }
    const half = f64x2.mul(v128.load(F64C, X2_QUARTER_PI), f64x2.sub(mm, t));
    const sh = sin2(half), ch = cos2(half);
    const c1 = f64x2.sub(f64x2.mul(c, ch), f64x2.mul(sn, sh));
    const s1 = f64x2.add(f64x2.mul(sn, ch), f64x2.mul(c, sh));
    const p = f64x2.mul(v128.load(F64C, X2_HALF), f64x2.add(v128.load(F64C, X2_ONE), f64x2.mul(sgv, f64x2.sub(f64x2.mul(c1, c1), f64x2.mul(s1, s1)))));
    const u = f64x2.mul(f64x2.convert_low_i32x4_u(v128.load64_zero(words + (j << 2))), v128.load(F64C, X2_TWO_POW_M32));
    const plus = f64x2.lt(u, p);
    const f = v128.and(plus, v128.load(F64C, X2_ONE));
    const c2 = f64x2.mul(f64x2.add(m0b, f64x2.mul(f, m0d)), c1);
    const s2 = f64x2.mul(f64x2.add(m1b, f64x2.mul(f, m1d)), s1);
    const norm = f64x2.sqrt(f64x2.add(f64x2.mul(c2, c2), f64x2.mul(s2, s2)));
    const ok = f64x2.gt(norm, v128.load(F64C, X2_ZERO));
    const cn = v128.bitselect(f64x2.div(c2, norm), c1, ok);
    const snn = v128.bitselect(f64x2.div(s2, norm), s1, ok);
    v128.store(sj, v128.shuffle<f64>(cn, snn, 0, 2));
    v128.store(sj, v128.shuffle<f64>(cn, snn, 1, 3), 16);
    const dv = f64x2.sub(f64x2.add(f, f), v128.load(F64C, X2_ONE)); // +1 / -1
    v128.store64_lane(dr + (j << 2), f32x4.demote_f64x2_zero(dv), 0);
    store<i8>(mr + j, <i8>f64x2.extract_lane(dv, 0));
    store<i8>(mr + j + 1, <i8>f64x2.extract_lane(dv, 1));
  }
}

/** 2^-32, SCREEN, 0 as vectors (see PROB32). */
const NEURON32: usize = memory.data<f32>([
  2.3283064365386963e-10, 2.3283064365386963e-10, 2.3283064365386963e-10, 2.3283064365386963e-10,
  1e-5, 1e-5, 1e-5, 1e-5,
  0, 0, 0, 0,
]);
const N32_TWO_POW_M32: usize = 0;
/** Half-width of the band around the float32 P(+1) in which outcomes are decided in float64. */
const N32_SCREEN: usize = 16;
const N32_ZERO: usize = 32;

/** How neuronLayer updates a row (src/kernels.ts names the same values; a test holds them together). */
export enum NeuronMode {
  /** a = 0 and g = pi/2 on a register in a basis state: d = sign(z), no draws. */
  Sign = 0,
  /** g = pi/2 on a register in a basis state (alpha in {0, pi}): P(+1) = (1 + sin(pi t / 2)) / 2. */
  BasisState = 1,
  /** The general update of core/src/neuron.ts (probPlus, backAction) from the stored state. */
  General = 2,
}

/**
 * One hidden layer of qubit neurons for rows [r0, r1), in the given NeuronMode. Sign and
 * BasisState write d (+1/-1) and the register's outcome m; the state of a basis state follows
 * from m (alpha 0 for +1, pi for -1) and is only stored by General, which derives it for rows < cleanRows.
 */
export function neuronLayer(
  z: usize, zs: i32, cols: i32, d: usize, ds: i32,
  m: usize, state: usize, qs: i32,
  mode: NeuronMode, a: f64, act: i32, g: f64, cleanRows: i32,
  seed: u32, pass: u32, layer: u32, rowOffset: u32,
  scratch: usize, r0: i32, r1: i32,
): void {
  const sg = Math.sin(g);
  // Diagonals of the measurement operators M(+1), M(-1).
  const m0p = Math.sqrt(max(0.0, (1 + sg) / 2)), m1p = Math.sqrt(max(0.0, (1 - sg) / 2));
  const m0m = m1p, m1m = m0p;
  const invA = f32x4.splat(<f32>(1 / a));
  const plusOne = f32x4.splat(1), minusOne = f32x4.splat(-1);
  const onesI8 = i8x16.splat(1), minusI8 = i8x16.splat(-1);
  const full = cols & ~3;
  const lanes = scratch + ((<usize>(cols + 31) & ~31) << 2); // after the draws
  for (let r = r0; r < r1; r++) {
    const zr = z + ((<usize>r * <usize>zs) << 2);
    const dr = d + ((<usize>r * <usize>ds) << 2);
    const mr = m + <usize>r * <usize>qs;
    if (mode == NeuronMode.Sign) {
      let j = 0;
      for (; j < full; j += 4) {
        const plus = f32x4.gt(v128.load(zr + (<usize>j << 2)), f32x4.splat(0));
        v128.store(dr + (<usize>j << 2), v128.bitselect(plusOne, minusOne, plus));
        v128.store32_lane(mr + <usize>j, v128.bitselect(onesI8, minusI8, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(plus, plus), plus)), 0);
      }
      for (; j < cols; j++) {
        const plus = load<f32>(zr + (<usize>j << 2)) > 0;
        store<f32>(dr + (<usize>j << 2), plus ? 1.0 : -1.0);
        store<i8>(mr + <usize>j, plus ? 1 : -1);
      }
      continue;
    }
    philoxRow(scratch, cols, rowOffset + <u32>r, layer, pass, seed);
    if (mode == NeuronMode.BasisState) {
      let j = 0;
      for (; j < full; j += 4) {
        const p = prob32(v128.load(zr + (<usize>j << 2)), invA, act);
        const u = f32x4.mul(f32x4.convert_i32x4_u(v128.load(scratch + (<usize>j << 2))), v128.load(NEURON32, N32_TWO_POW_M32));
        const diff = f32x4.sub(p, u);
        let plus = f32x4.gt(diff, v128.load(NEURON32, N32_ZERO));
        const unsure = i32x4.bitmask(f32x4.le(f32x4.abs(diff), v128.load(NEURON32, N32_SCREEN)));
        if (unsure != 0) {
          // Rare: decide these lanes in float64.
          v128.store(lanes, plus);
          for (let l = 0; l < 4; l++) {
            if (((unsure >> l) & 1) == 0) continue;
            const jj = j + l;
            const pp = prob64(<f64>load<f32>(zr + (<usize>jj << 2)), a, act);
            const uu = <f64>load<u32>(scratch + (<usize>jj << 2)) * TWO_POW_M32;
            store<i32>(lanes + (<usize>l << 2), uu < pp ? -1 : 0);
          }
          plus = v128.load(lanes);
        }
        v128.store(dr + (<usize>j << 2), v128.bitselect(plusOne, minusOne, plus));
        v128.store32_lane(mr + <usize>j, v128.bitselect(onesI8, minusI8, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(plus, plus), plus)), 0);
      }
      for (; j < cols; j++) {
        const pp = prob64(<f64>load<f32>(zr + (<usize>j << 2)), a, act);
        const plus = <f64>load<u32>(scratch + (<usize>j << 2)) * TWO_POW_M32 < pp;
        store<f32>(dr + (<usize>j << 2), plus ? 1.0 : -1.0);
        store<i8>(mr + <usize>j, plus ? 1 : -1);
      }
    } else {
      // The state is kept as (cos(alpha/2), sin(alpha/2)) = (c, s): the rotation is then a 2x2
      // rotation and the back-action a scaling, with no angle functions but sin/cos of theta/2.
      // The reference wraps alpha into (-pi, pi] after the back-action, i.e. it may negate
      // (c, s) (a global phase); probabilities and outcomes do not depend on that sign.
      const clean = r < cleanRows;
      const sr = state + ((<usize>r * <usize>qs) << 4);
      const pairs = cols >> 1;
      generalPairs(zr, dr, mr, sr, scratch, pairs, clean, a, act, sg, m0p, m0m, m1p, m1m);
      for (let j = pairs << 1; j < cols; j++) {
        const t = target64(<f64>load<f32>(zr + (<usize>j << 2)), a, act);
        const mm = <f64>load<i8>(mr + <usize>j);
        const sj = sr + (<usize>j << 4);
        // Basis state from m without a data-dependent branch: (1, 0) for +1, (0, 1) for -1.
        const c = clean ? 0.5 * (1 + mm) : load<f64>(sj);
        const sn0 = clean ? 0.5 * (1 - mm) : load<f64>(sj, 8);
        // RY(theta), theta / 2 = (pi / 4)(m - t) in [-pi/2, pi/2].
        const half = QUARTER_PI * (mm - t);
        const sh = sin64(half), chh = cos64(half);
        const c1 = c * chh - sn0 * sh, s1 = sn0 * chh + c * sh;
        const p = (1 + sg * (c1 * c1 - s1 * s1)) / 2;
        const u = <f64>load<u32>(scratch + (<usize>j << 2)) * TWO_POW_M32;
        // The outcome is a coin flip: arithmetic instead of branches, which would mispredict half
        // the time and throw away the work in flight on the next qubits.
        const plus = <i32>(u < p);
        const f = <f64>plus;
        // Measurement operator diag(m0, m1), renormalised (the norm is sqrt(P(outcome)) > 0).
        const c2 = (m0m + f * (m0p - m0m)) * c1, s2 = (m1m + f * (m1p - m1m)) * s1;
        const norm = Math.sqrt(c2 * c2 + s2 * s2);
        store<f64>(sj, norm > 0 ? c2 / norm : c1);
        store<f64>(sj, norm > 0 ? s2 / norm : s1, 8);
        store<i8>(mr + <usize>j, <i8>(2 * plus - 1));
        store<f32>(dr + (<usize>j << 2), <f32>(2 * f - 1));
      }
    }
  }
}

/** Stores the state (cos(alpha/2), sin(alpha/2)) of basis-state rows [r0, r1): (1, 0) for m = +1, (0, 1) for m = -1. */
export function storeBasisStates(m: usize, state: usize, qs: i32, r0: i32, r1: i32): void {
  const start = <usize>r0 * <usize>qs, end = <usize>r1 * <usize>qs;
  for (let i = start; i < end; i++) {
    const plus = load<i8>(m + i) > 0;
    store<f64>(state + (i << 4), plus ? 1.0 : 0.0);
    store<f64>(state + (i << 4), plus ? 0.0 : 1.0, 8);
  }
}

/** Start state of rows [r0, r1): m = +1 (the angle, 0, follows from the basis state). */
export function resetQubits(m: usize, qs: i32, r0: i32, r1: i32): void {
  memory.fill(m + <usize>r0 * <usize>qs, 1, <usize>(r1 - r0) * <usize>qs);
}
