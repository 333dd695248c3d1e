// The general neuron path in two float64 lanes (f64x2): the same polynomials as tanh64, sin64, cos64.

/** Constants of the f64x2 functions as vectors in static memory (see PROB32). */
export const F64C: usize = memory.data<f64>([
  2.505210838544172e-08, 2.505210838544172e-08,
  2.755731922398589e-07, 2.755731922398589e-07,
  2.7557319223985893e-06, 2.7557319223985893e-06,
  2.48015873015873e-05, 2.48015873015873e-05,
  0.0001984126984126984, 0.0001984126984126984,
  0.001388888888888889, 0.001388888888888889,
  0.008333333333333333, 0.008333333333333333,
  0.041666666666666664, 0.041666666666666664,
  0.16666666666666666, 0.16666666666666666,
  0.5, 0.5,
  1.0, 1.0,
  1.0, 1.0,
  8.22063524662433e-18, 8.22063524662433e-18,
  -2.8114572543455206e-15, -2.8114572543455206e-15,
  7.647163731819816e-13, 7.647163731819816e-13,
  -1.6059043836821613e-10, -1.6059043836821613e-10,
  2.505210838544172e-08, 2.505210838544172e-08,
  -2.7557319223985893e-06, -2.7557319223985893e-06,
  0.0001984126984126984, 0.0001984126984126984,
  -0.008333333333333333, -0.008333333333333333,
  0.16666666666666666, 0.16666666666666666,
  4.110317623312165e-19, 4.110317623312165e-19,
  -1.5619206968586225e-16, -1.5619206968586225e-16,
  4.779477332387385e-14, 4.779477332387385e-14,
  -1.1470745597729725e-11, -1.1470745597729725e-11,
  2.08767569878681e-09, 2.08767569878681e-09,
  -2.755731922398589e-07, -2.755731922398589e-07,
  2.48015873015873e-05, 2.48015873015873e-05,
  -0.001388888888888889, -0.001388888888888889,
  0.041666666666666664, 0.041666666666666664,
  -0.5, -0.5,
  1.4426950408889634, 1.4426950408889634,
  0.6931471803691238, 0.6931471803691238,
  1.9082149292705877e-10, 1.9082149292705877e-10,
  -2.0, -2.0,
  22.0, 22.0,
  1.0, 1.0,
  0.5, 0.5,
  0.7853981633974483, 0.7853981633974483,
  2.3283064365386963e-10, 2.3283064365386963e-10,
  0.0, 0.0,
  -1.0, -1.0,
]);

// Byte offsets of the vectors in F64C (each vector holds the same float64 twice).
/** Taylor coefficients of e^r (as expNeg): 1/11!, 1/10!, ..., 1/2, 1, 1; 16 bytes apart. */
const X2_EXP_POLY: usize = 0;
/** Coefficients of sin64: 1/19!, -1/17!, ..., 1/3!. */
const X2_SIN_POLY: usize = 192;
/** Coefficients of cos64: 1/20!, -1/18!, ..., -1/2. */
const X2_COS_POLY: usize = 336;
const X2_INV_LN2: usize = 496;
const X2_LN2_HI: usize = 512;
const X2_LN2_LO: usize = 528;
const X2_MINUS_TWO: usize = 544;
/** |x| above which tanh(x) is 1 in float64. */
const X2_TANH_CAP: usize = 560;
export const X2_ONE: usize = 576;
export const X2_HALF: usize = 592;
export const X2_QUARTER_PI: usize = 608;
export const X2_TWO_POW_M32: usize = 624;
export const X2_ZERO: usize = 640;
export const X2_MINUS_ONE: usize = 656;

// @ts-ignore: decorator
@inline
export function tanh2(x: v128): v128 {
  // e^(-2|x|) with |x| capped at 22, where tanh is 1 in float64.
  const y = f64x2.mul(f64x2.pmin(f64x2.abs(x), v128.load(F64C, X2_TANH_CAP)), v128.load(F64C, X2_MINUS_TWO));
  const k = f64x2.nearest(f64x2.mul(y, v128.load(F64C, X2_INV_LN2)));
  const r = f64x2.sub(f64x2.sub(y, f64x2.mul(k, v128.load(F64C, X2_LN2_HI))), f64x2.mul(k, v128.load(F64C, X2_LN2_LO)));
  let p = v128.load(F64C, X2_EXP_POLY);
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, X2_EXP_POLY + 16));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, X2_EXP_POLY + 32));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, X2_EXP_POLY + 48));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, X2_EXP_POLY + 64));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, X2_EXP_POLY + 80));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, X2_EXP_POLY + 96));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, X2_EXP_POLY + 112));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, X2_EXP_POLY + 128));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, X2_EXP_POLY + 144));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, X2_EXP_POLY + 160));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, X2_EXP_POLY + 176));
  const bits = i64x2.shl(i64x2.add(i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k)), i64x2.splat(1023)), 52);
  const e = f64x2.mul(p, bits);
  const one = v128.load(F64C, X2_ONE);
  const ta = f64x2.div(f64x2.sub(one, e), f64x2.add(one, e));
  return v128.or(ta, v128.and(x, i64x2.splat(0x8000000000000000)));
}

// @ts-ignore: decorator
@inline
export function sin2(y: v128): v128 {
  const y2 = f64x2.mul(y, y);
  let p = v128.load(F64C, X2_SIN_POLY);
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_SIN_POLY + 16));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_SIN_POLY + 32));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_SIN_POLY + 48));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_SIN_POLY + 64));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_SIN_POLY + 80));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_SIN_POLY + 96));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_SIN_POLY + 112));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_SIN_POLY + 128));
  return f64x2.sub(y, f64x2.mul(f64x2.mul(y, y2), p));
}

// @ts-ignore: decorator
@inline
export function cos2(y: v128): v128 {
  const y2 = f64x2.mul(y, y);
  let p = v128.load(F64C, X2_COS_POLY);
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_COS_POLY + 16));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_COS_POLY + 32));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_COS_POLY + 48));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_COS_POLY + 64));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_COS_POLY + 80));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_COS_POLY + 96));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_COS_POLY + 112));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_COS_POLY + 128));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, X2_COS_POLY + 144));
  return f64x2.add(v128.load(F64C, X2_ONE), f64x2.mul(y2, p));
}
