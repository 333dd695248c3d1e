// Random numbers: Philox4x32-10 (Salmon et al. 2011), bit-identical to core/src/rng.ts.

const NEUR: u32 = 0x4e455552;
const M0: u32 = 0xd2511f53;
const M1: u32 = 0xcd9e8d57;

/** High halves of the four 32x32-bit products a[i] * b[i]. */
// @ts-ignore: decorator
@inline
function mulhi4(a: v128, b: v128): v128 {
  return v128.shuffle<i32>(i64x2.extmul_low_i32x4_u(a, b), i64x2.extmul_high_i32x4_u(a, b), 1, 3, 5, 7);
}

/**
 * The neuron draws of one row as 32-bit words: word j = philox([j >> 2, row, layer, pass],
 * [seed, NEUR])[j & 3], for j in [0, cols rounded up to 32). Four blocks run side by side in
 * the lanes of i32x4 vectors; a 4x4 transpose puts each block's words next to each other.
 */
export function philoxRow(out: usize, cols: i32, row: u32, layer: u32, pass: u32, seed: u32): void {
  const m0 = i32x4.splat(M0), m1 = i32x4.splat(M1);
  const groups = (cols + 15) >> 4;
  // Two groups of four blocks per iteration: the ten rounds are a dependent chain, so two
  // independent chains keep the multipliers busy.
  for (let q = 0; q < groups; q += 2) {
    const j = q << 2;
    let c0 = i32x4.add(i32x4.splat(j), i32x4(0, 1, 2, 3));
    let d0 = i32x4.add(i32x4.splat(j + 4), i32x4(0, 1, 2, 3));
    let c1 = i32x4.splat(row), c2 = i32x4.splat(layer), c3 = i32x4.splat(pass);
    let d1 = c1, d2 = c2, d3 = c3;
    let k0 = seed, k1 = NEUR;
    for (let round = 0; round < 10; round++) {
      const key0 = i32x4.splat(k0), key1 = i32x4.splat(k1);
      const hi0 = mulhi4(c0, m0), lo0 = i32x4.mul(c0, m0);
      const hi1 = mulhi4(c2, m1), lo1 = i32x4.mul(c2, m1);
      const gi0 = mulhi4(d0, m0), go0 = i32x4.mul(d0, m0);
      const gi1 = mulhi4(d2, m1), go1 = i32x4.mul(d2, m1);
      c0 = v128.xor(v128.xor(hi1, c1), key0);
      c2 = v128.xor(v128.xor(hi0, c3), key1);
      c1 = lo1;
      c3 = lo0;
      d0 = v128.xor(v128.xor(gi1, d1), key0);
      d2 = v128.xor(v128.xor(gi0, d3), key1);
      d1 = go1;
      d3 = go0;
      k0 += 0x9e3779b9;
      k1 += 0xbb67ae85;
    }
    storeBlocks(out + (<usize>q << 6), c0, c1, c2, c3);
    // The second group may lie past the row's last column; the scratch has room for it.
    storeBlocks(out + (<usize>(q + 1) << 6), d0, d1, d2, d3);
  }
}

/** Lanes are blocks: words of block b go to out[4 b .. 4 b + 3] (a 4x4 transpose). */
// @ts-ignore: decorator
@inline
function storeBlocks(o: usize, c0: v128, c1: v128, c2: v128, c3: v128): void {
  const t0 = v128.shuffle<i32>(c0, c1, 0, 4, 1, 5);
  const t1 = v128.shuffle<i32>(c0, c1, 2, 6, 3, 7);
  const t2 = v128.shuffle<i32>(c2, c3, 0, 4, 1, 5);
  const t3 = v128.shuffle<i32>(c2, c3, 2, 6, 3, 7);
  v128.store(o, v128.shuffle<i32>(t0, t2, 0, 1, 4, 5), 0);
  v128.store(o, v128.shuffle<i32>(t0, t2, 2, 3, 6, 7), 16);
  v128.store(o, v128.shuffle<i32>(t1, t3, 0, 1, 4, 5), 32);
  v128.store(o, v128.shuffle<i32>(t1, t3, 2, 3, 6, 7), 48);
}

/** Test hook: the draws of one row (see philoxRow). */
export function philoxWords(out: usize, cols: i32, row: u32, layer: u32, pass: u32, seed: u32): void {
  philoxRow(out, cols, row, layer, pass, seed);
}
