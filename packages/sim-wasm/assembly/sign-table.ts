// +1/-1 inputs by table look-up: 4 inputs (a nibble of the sign mask) select one of 16 precomputed
// signed sums of 4 rows of B, so a row of the product is K/4 look-ups instead of up to K/2 rows.

import { BLOCK, CHUNK_BYTES, ENTRY, TILE } from "./layout";
import { applyFlips, countFlips, signMask } from "./signbits";

/**
 * Tables of a [K, nv vectors] matrix B for tiles [t0, t1): chunk c (rows 4c..4c+3 of B, zero past
 * K), entry e (bit j set: row 4c+j counts -1) of tile t holds (s0 B[4c] + s1 B[4c+1]) + (s2 B[4c+2]
 * + s3 B[4c+3]) over the tile's 8 vectors (zero past nv), at table + t slab + c 2048 + e 128.
 */
export function signTables(b: usize, bs: i32, K: i32, nv: i32, table: usize, t0: i32, t1: i32): void {
  const chunks = (K + 3) >> 2;
  const slab = <usize>chunks * CHUNK_BYTES;
  const bRow = <usize>bs << 2;
  const zero = f32x4.splat(0);
  for (let t = t0; t < t1; t++) {
    for (let c = 0; c < chunks; c++) {
      const base = table + <usize>t * slab + <usize>c * CHUNK_BYTES;
      const k = c << 2;
      for (let v = 0; v < TILE; v++) {
        const vec = t * TILE + v;
        const o: usize = <usize>vec << 4;
        const ok = vec < nv;
        const x0 = ok && k < K ? v128.load(b + <usize>k * bRow + o) : zero;
        const x1 = ok && k + 1 < K ? v128.load(b + <usize>(k + 1) * bRow + o) : zero;
        const x2 = ok && k + 2 < K ? v128.load(b + <usize>(k + 2) * bRow + o) : zero;
        const x3 = ok && k + 3 < K ? v128.load(b + <usize>(k + 3) * bRow + o) : zero;
        // Low two bits choose the signs of rows 0, 1; high two bits those of rows 2, 3.
        const lo0 = f32x4.add(x0, x1), lo1 = f32x4.sub(x1, x0), lo2 = f32x4.sub(x0, x1), lo3 = f32x4.neg(f32x4.add(x0, x1));
        const hi0 = f32x4.add(x2, x3), hi1 = f32x4.sub(x3, x2), hi2 = f32x4.sub(x2, x3), hi3 = f32x4.neg(f32x4.add(x2, x3));
        const e: usize = base + (<usize>v << 4);
        v128.store(e, f32x4.add(lo0, hi0), 0 * 128); v128.store(e, f32x4.add(lo1, hi0), 1 * 128);
        v128.store(e, f32x4.add(lo2, hi0), 2 * 128); v128.store(e, f32x4.add(lo3, hi0), 3 * 128);
        v128.store(e, f32x4.add(lo0, hi1), 4 * 128); v128.store(e, f32x4.add(lo1, hi1), 5 * 128);
        v128.store(e, f32x4.add(lo2, hi1), 6 * 128); v128.store(e, f32x4.add(lo3, hi1), 7 * 128);
        v128.store(e, f32x4.add(lo0, hi2), 8 * 128); v128.store(e, f32x4.add(lo1, hi2), 9 * 128);
        v128.store(e, f32x4.add(lo2, hi2), 10 * 128); v128.store(e, f32x4.add(lo3, hi2), 11 * 128);
        v128.store(e, f32x4.add(lo0, hi3), 12 * 128); v128.store(e, f32x4.add(lo1, hi3), 13 * 128);
        v128.store(e, f32x4.add(lo2, hi3), 14 * 128); v128.store(e, f32x4.add(lo3, hi3), 15 * 128);
      }
    }
  }
}

/**
 * C[r, :] = bias + sum_c T_c[nibble_c(A[r, :])] for rows [r0, r1) of a +1/-1 matrix A [., K]
 * (tables of signTables). Like gemmSign, rows r < incRows whose input flipped in few entries since
 * the input saved at `saved` are updated from B = W^T instead, and every row's signs are saved.
 * Returns the number of rows updated that way.
 */
export function gemmSignTable(
  a: usize, as: i32, K: i32, table: usize, nv: i32, bias: usize, c: usize, cs: i32,
  b: usize, bs: i32, saved: usize, incRows: i32, scratch: usize, r0: i32, r1: i32,
): i32 {
  let updated = 0;
  const words = (K + 31) >> 5;
  const chunks = (K + 3) >> 2;
  const slab = <usize>chunks * CHUNK_BYTES;
  const bRow = <usize>bs << 2;
  // Scratch: a flip list (K entries), then per block row: its mask and its chunk offsets.
  const flipList = scratch;
  const masks = flipList + <usize>K * ENTRY + 64;
  const offs = masks + ((<usize>BLOCK * <usize>words) << 2) + 64;
  const rowsOf = offs + ((<usize>BLOCK * <usize>chunks) << 2) + 64; // block index -> row
  const tail = rowsOf + (<usize>BLOCK << 2) + 64; // one tile of partial sums
  const tiles = (nv + TILE - 1) / TILE;
  for (let rb = r0; rb < r1; rb += BLOCK) {
    const re = min(rb + BLOCK, r1);
    let full = 0;
    for (let r = rb; r < re; r++) {
      const mask = masks + ((<usize>full * <usize>words) << 2);
      signMask(a + ((<usize>r * <usize>as) << 2), K, mask);
      const save = saved + ((<usize>r * <usize>words) << 2);
      // An update costs about 1.5 look-ups per flip (it also multiplies).
      if (r < incRows && 3 * countFlips(mask, save, words) < 2 * chunks) {
        applyFlips(mask, save, words, flipList, b, bRow, c + ((<usize>r * <usize>cs) << 2), nv);
        updated++;
        continue;
      }
      if (saved != 0) for (let w = 0; w < words; w++) store<u32>(save + (<usize>w << 2), load<u32>(mask + (<usize>w << 2)));
      const off = offs + ((<usize>full * <usize>chunks) << 2);
      for (let q = 0; q < chunks; q++) {
        const nib = (load<u32>(mask + (<usize>(q >> 3) << 2)) >> (<u32>(q & 7) << 2)) & 15;
        store<u32>(off + (<usize>q << 2), <u32>(<usize>q * CHUNK_BYTES) + (nib << 7));
      }
      store<i32>(rowsOf + (<usize>full << 2), r);
      full++;
    }
    for (let t = 0; t < tiles; t++) {
      const s = table + <usize>t * slab;
      const o: usize = <usize>(t * TILE) << 4;
      const valid = min(TILE, nv - t * TILE);
      for (let f = 0; f < full; f++) {
        const off = offs + ((<usize>f * <usize>chunks) << 2);
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (let q = 0; q < chunks; q++) {
          const p = s + <usize>load<u32>(off + (<usize>q << 2));
          a0 = f32x4.add(a0, v128.load(p, 0));
          a1 = f32x4.add(a1, v128.load(p, 16));
          a2 = f32x4.add(a2, v128.load(p, 32));
          a3 = f32x4.add(a3, v128.load(p, 48));
          a4 = f32x4.add(a4, v128.load(p, 64));
          a5 = f32x4.add(a5, v128.load(p, 80));
          a6 = f32x4.add(a6, v128.load(p, 96));
          a7 = f32x4.add(a7, v128.load(p, 112));
        }
        const out = c + ((<usize>load<i32>(rowsOf + (<usize>f << 2)) * <usize>cs) << 2) + o;
        if (valid == TILE && bias == 0) {
          v128.store(out, a0, 0); v128.store(out, a1, 16); v128.store(out, a2, 32); v128.store(out, a3, 48);
          v128.store(out, a4, 64); v128.store(out, a5, 80); v128.store(out, a6, 96); v128.store(out, a7, 112);
        } else {
          // Partial tile or bias: through `tail`, touching only the row's real vectors.
          v128.store(tail, a0, 0); v128.store(tail, a1, 16); v128.store(tail, a2, 32); v128.store(tail, a3, 48);
          v128.store(tail, a4, 64); v128.store(tail, a5, 80); v128.store(tail, a6, 96); v128.store(tail, a7, 112);
          for (let v = 0; v < valid; v++) {
            let y = v128.load(tail + (<usize>v << 4));
            if (bias != 0) y = f32x4.add(v128.load(bias + o + (<usize>v << 4)), y);
            v128.store(out + (<usize>v << 4), y);
          }
        }
      }
    }
  }
  return updated;
}
