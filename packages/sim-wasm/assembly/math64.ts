// The qubit neuron's functions in float64 (core/src/neuron.ts): polynomials accurate to ~1e-15,
// enough for draws that are multiples of 2^-32.

const HALF_PI: f64 = 1.5707963267948966;
export const TWO_POW_M32: f64 = 2.3283064365386963e-10;
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.44269504088896338700e+00;

/** e^y for y in [-45, 0]: Cody-Waite reduction, degree-11 Taylor polynomial (rel. error < 1e-14). */
// @ts-ignore: decorator
@inline
function expNeg(y: f64): f64 {
  const k = nearest<f64>(y * INV_LN2);
  const r = (y - k * LN2_HI) - k * LN2_LO;
  let p = 2.505210838544172e-8; // 1/11!
  p = p * r + 2.755731922398589e-7;
  p = p * r + 2.755731922398589e-6;
  p = p * r + 2.48015873015873e-5;
  p = p * r + 1.984126984126984e-4;
  p = p * r + 1.388888888888889e-3;
  p = p * r + 8.333333333333333e-3;
  p = p * r + 4.166666666666667e-2;
  p = p * r + 1.666666666666667e-1;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  return p * reinterpret<f64>((<i64>k + 1023) << 52);
}

/** tanh(x), absolute error < 1e-15 (enough: draws are multiples of 2^-32). */
// @ts-ignore: decorator
@inline
function tanh64(x: f64): f64 {
  const ax = Math.abs(x);
  if (ax > 22) return copysign<f64>(1.0, x);
  const e = expNeg(-2 * ax);
  return copysign<f64>((1 - e) / (1 + e), x);
}

/** sin(y) for |y| <= pi/2: odd Taylor polynomial to y^19 (error < 3e-16). */
// @ts-ignore: decorator
@inline
export function sin64(y: f64): f64 {
  const y2 = y * y;
  let p = 8.22063524662433e-18; // 1/19!
  p = p * y2 - 2.8114572543455206e-15;
  p = p * y2 + 7.647163731819816e-13;
  p = p * y2 - 1.6059043836821613e-10;
  p = p * y2 + 2.505210838544172e-8;
  p = p * y2 - 2.755731922398589e-6;
  p = p * y2 + 1.984126984126984e-4;
  p = p * y2 - 8.333333333333333e-3;
  p = p * y2 + 1.666666666666667e-1;
  return y - y * y2 * p;
}

/** cos(y) for |y| <= pi/2: even Taylor polynomial to y^20 (error < 1e-16). */
// @ts-ignore: decorator
@inline
export function cos64(y: f64): f64 {
  const y2 = y * y;
  let p = 4.110317623312165e-19; // 1/20!
  p = p * y2 - 1.5619206968586225e-16;
  p = p * y2 + 4.779477332387385e-14;
  p = p * y2 - 1.1470745597729725e-11;
  p = p * y2 + 2.08767569878681e-9;
  p = p * y2 - 2.755731922398589e-7;
  p = p * y2 + 2.48015873015873e-5;
  p = p * y2 - 1.388888888888889e-3;
  p = p * y2 + 4.166666666666667e-2;
  p = p * y2 - 0.5;
  return 1 + y2 * p;
}

export const QUARTER_PI: f64 = 0.7853981633974483;

// @ts-ignore: decorator
@inline
export function target64(z: f64, a: f64, act: i32): f64 {
  if (a == 0) return z > 0 ? 1.0 : -1.0;
  const x = z / a;
  return act == 0 ? tanh64(x) : max(-1.0, min(1.0, x));
}

/** P(+1) of a qubit in a basis state measured projectively: (1 + sin(pi t / 2)) / 2, float64. */
// @ts-ignore: decorator
@inline
export function prob64(z: f64, a: f64, act: i32): f64 {
  return 0.5 * (1 + sin64(HALF_PI * target64(z, a, act)));
}

/** Test hook: cos64. */
export function cosHalfPi(y: f64): f64 {
  return cos64(y);
}

/** Test hook: prob64. */
export function fastProb(z: f64, a: f64, act: i32): f64 {
  return prob64(z, a, act);
}
