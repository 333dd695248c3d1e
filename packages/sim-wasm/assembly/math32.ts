// P(+1) of a projectively measured basis-state qubit in four float32 lanes: the screen that
// decides most Model 1 outcomes.

// A float32 screen decides most outcomes: p32 is within 2e-6 of prob64 (tested in
// test/kernels.test.ts), so wherever |u - p32| > SCREEN the float64 comparison u < p gives the
// same answer; the few other draws are decided in float64.
// SCREEN = 1e-5 is the N32_SCREEN vector of NEURON32 (neuron.ts).

// Constants of prob32 as vectors in static memory: V8 rebuilds a splatted constant inside a loop
// with three instructions, a load is one.
const PROB32: usize = memory.data<f32>([-2.8853900817779268, -2.8853900817779268, -2.8853900817779268, -2.8853900817779268, -125.0, -125.0, -125.0, -125.0, 0.00015403530393381606, 0.00015403530393381606, 0.00015403530393381606, 0.00015403530393381606, 0.0013333558146428443, 0.0013333558146428443, 0.0013333558146428443, 0.0013333558146428443, 0.009618129107628477, 0.009618129107628477, 0.009618129107628477, 0.009618129107628477, 0.05550410866482158, 0.05550410866482158, 0.05550410866482158, 0.05550410866482158, 0.2402265069591007, 0.2402265069591007, 0.2402265069591007, 0.2402265069591007, 0.6931471805599453, 0.6931471805599453, 0.6931471805599453, 0.6931471805599453, 1.0, 1.0, 1.0, 1.0, 1.5707963267948966, 1.5707963267948966, 1.5707963267948966, 1.5707963267948966, -2.505210838544172e-08, -2.505210838544172e-08, -2.505210838544172e-08, -2.505210838544172e-08, 2.755731922398589e-06, 2.755731922398589e-06, 2.755731922398589e-06, 2.755731922398589e-06, -0.0001984126984126984, -0.0001984126984126984, -0.0001984126984126984, -0.0001984126984126984, 0.008333333333333333, 0.008333333333333333, 0.008333333333333333, 0.008333333333333333, -0.1666666666666667, -0.1666666666666667, -0.1666666666666667, -0.1666666666666667, 0.5, 0.5, 0.5, 0.5, -1.0, -1.0, -1.0, -1.0]);
const C_LOG2E_M2: usize = 0;
const C_EXP_MIN: usize = 16;
const C_E6: usize = 32;
const C_E5: usize = 48;
const C_E4: usize = 64;
const C_E3: usize = 80;
const C_E2: usize = 96;
const C_E1: usize = 112;
const C_ONE: usize = 128;
const C_HALF_PI_F: usize = 144;
const C_S11: usize = 160;
const C_S9: usize = 176;
const C_S7: usize = 192;
const C_S5: usize = 208;
const C_S3: usize = 224;
const C_HALF: usize = 240;
const C_MINUS_ONE: usize = 256;
const SIGN_BITS: v128 = i32x4(0x80000000, 0x80000000, 0x80000000, 0x80000000);
const BIAS127: v128 = i32x4(127, 127, 127, 127);

/** P(+1) as prob64 but in float32 lanes: exp2 by exponent bits and a degree-6 polynomial, sin to y^11. */
// @ts-ignore: decorator
@inline
export function prob32(z: v128, invA: v128, act: i32): v128 {
  const x = f32x4.mul(z, invA);
  const one = v128.load(PROB32, C_ONE);
  let t: v128;
  if (act == 0) {
    // tanh |x| = (1 - q) / (1 + q), q = exp(-2 |x|) = 2^y.
    const y = f32x4.pmax(f32x4.mul(f32x4.abs(x), v128.load(PROB32, C_LOG2E_M2)), v128.load(PROB32, C_EXP_MIN));
    const k = f32x4.nearest(y);
    const f = f32x4.sub(y, k);
    let e = v128.load(PROB32, C_E6);
    e = f32x4.add(f32x4.mul(e, f), v128.load(PROB32, C_E5));
    e = f32x4.add(f32x4.mul(e, f), v128.load(PROB32, C_E4));
    e = f32x4.add(f32x4.mul(e, f), v128.load(PROB32, C_E3));
    e = f32x4.add(f32x4.mul(e, f), v128.load(PROB32, C_E2));
    e = f32x4.add(f32x4.mul(e, f), v128.load(PROB32, C_E1));
    e = f32x4.add(f32x4.mul(e, f), one);
    // k is an integer in [-125, 0]: the conversion is exact and needs no saturation.
    const q = f32x4.mul(e, i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(k), BIAS127), 23));
    const ta = f32x4.div(f32x4.sub(one, q), f32x4.add(one, q));
    t = v128.or(ta, v128.and(x, SIGN_BITS));
  } else {
    t = f32x4.pmax(v128.load(PROB32, C_MINUS_ONE), f32x4.pmin(one, x));
  }
  const y = f32x4.mul(t, v128.load(PROB32, C_HALF_PI_F));
  const y2 = f32x4.mul(y, y);
  let s = v128.load(PROB32, C_S11);
  s = f32x4.add(f32x4.mul(s, y2), v128.load(PROB32, C_S9));
  s = f32x4.add(f32x4.mul(s, y2), v128.load(PROB32, C_S7));
  s = f32x4.add(f32x4.mul(s, y2), v128.load(PROB32, C_S5));
  s = f32x4.add(f32x4.mul(s, y2), v128.load(PROB32, C_S3));
  s = f32x4.add(f32x4.mul(f32x4.mul(s, y2), y), y);
  const half = v128.load(PROB32, C_HALF);
  return f32x4.add(half, f32x4.mul(half, s));
}

/** Test hook: lane 0 of prob32 (z, 1/a). */
export function fastProb32(z: f32, invA: f32, act: i32): f32 {
  return f32x4.extract_lane(prob32(f32x4.splat(z), f32x4.splat(invA), act), 0);
}
