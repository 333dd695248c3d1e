// WebAssembly kernels of sim-wasm (AssemblyScript, SIMD).
//
// Memory is owned by the JavaScript side (src/memory.ts): every pointer here is a byte
// address into the shared linear memory, every stride is in floats. Matrices are row-major
// with rows padded to a multiple of 4 floats; the padding is always zero, so a row is a whole
// number of f32x4 vectors.
//
// Every kernel that runs on several threads takes a half-open range [r0, r1) of the rows (or
// elements) it owns and a scratch area private to the calling thread. The value of each output
// element never depends on the range split, so results are the same on 1 or 2 threads.

// ---------------------------------------------------------------------------------------------
// Row lists: the entries (byte offset of a row of B, coefficient) a row of the product needs.

/** Scratch layout of a list entry: i32 byte offset, f32 coefficient. */
const ENTRY: usize = 8;

/**
 * acc[t] = init[t] + sum_e coef_e * B[off_e + t] for the vectors t of [v0, v1) of one output row.
 * `init` may be 0 (start from zero). Tiles of 8 vectors keep the accumulators in registers.
 */
// @ts-ignore: decorator
@inline
function axpyList(list: usize, count: i32, b: usize, init: usize, c: usize, nv: i32): void {
  let t = 0;
  for (; t + 8 <= nv; t += 8) {
    const o: usize = <usize>t << 4;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    if (init != 0) {
      a0 = v128.load(init + o, 0); a1 = v128.load(init + o, 16); a2 = v128.load(init + o, 32); a3 = v128.load(init + o, 48);
      a4 = v128.load(init + o, 64); a5 = v128.load(init + o, 80); a6 = v128.load(init + o, 96); a7 = v128.load(init + o, 112);
    }
    for (let e = 0; e < count; e++) {
      const ent = list + (<usize>e) * ENTRY;
      const p = b + <usize>load<i32>(ent) + o;
      const s = f32x4.splat(load<f32>(ent, 4));
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(p, 0)));
      a1 = f32x4.add(a1, f32x4.mul(s, v128.load(p, 16)));
      a2 = f32x4.add(a2, f32x4.mul(s, v128.load(p, 32)));
      a3 = f32x4.add(a3, f32x4.mul(s, v128.load(p, 48)));
      a4 = f32x4.add(a4, f32x4.mul(s, v128.load(p, 64)));
      a5 = f32x4.add(a5, f32x4.mul(s, v128.load(p, 80)));
      a6 = f32x4.add(a6, f32x4.mul(s, v128.load(p, 96)));
      a7 = f32x4.add(a7, f32x4.mul(s, v128.load(p, 112)));
    }
    v128.store(c + o, a0, 0); v128.store(c + o, a1, 16); v128.store(c + o, a2, 32); v128.store(c + o, a3, 48);
    v128.store(c + o, a4, 64); v128.store(c + o, a5, 80); v128.store(c + o, a6, 96); v128.store(c + o, a7, 112);
  }
  for (; t < nv; t++) {
    const o: usize = <usize>t << 4;
    let a0 = init != 0 ? v128.load(init + o) : f32x4.splat(0);
    for (let e = 0; e < count; e++) {
      const ent = list + (<usize>e) * ENTRY;
      a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(ent, 4)), v128.load(b + <usize>load<i32>(ent) + o)));
    }
    v128.store(c + o, a0);
  }
}

/** acc[t] = sum over the listed rows of B (coefficient ignored: all are 1), for every vector t. */
// @ts-ignore: decorator
@inline
function sumList(list: usize, count: i32, b: usize, c: usize, nv: i32): void {
  let t = 0;
  for (; t + 8 <= nv; t += 8) {
    const o: usize = <usize>t << 4;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (let e = 0; e < count; e++) {
      const p = b + <usize>load<i32>(list + (<usize>e) * ENTRY) + o;
      a0 = f32x4.add(a0, v128.load(p, 0));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
      a3 = f32x4.add(a3, v128.load(p, 48));
      a4 = f32x4.add(a4, v128.load(p, 64));
      a5 = f32x4.add(a5, v128.load(p, 80));
      a6 = f32x4.add(a6, v128.load(p, 96));
      a7 = f32x4.add(a7, v128.load(p, 112));
    }
    v128.store(c + o, a0, 0); v128.store(c + o, a1, 16); v128.store(c + o, a2, 32); v128.store(c + o, a3, 48);
    v128.store(c + o, a4, 64); v128.store(c + o, a5, 80); v128.store(c + o, a6, 96); v128.store(c + o, a7, 112);
  }
  for (; t < nv; t++) {
    const o: usize = <usize>t << 4;
    let a0 = f32x4.splat(0);
    for (let e = 0; e < count; e++) a0 = f32x4.add(a0, v128.load(b + <usize>load<i32>(list + (<usize>e) * ENTRY) + o));
    v128.store(c + o, a0);
  }
}

// ---------------------------------------------------------------------------------------------
// Products.

/**
 * C[r, :] = bias + sum_k A[r, k] B[k, :] for rows r in [r0, r1), skipping A[r, k] == 0
 * (MNIST inputs are ~80% zeros; straight-through gradients are mostly zeros).
 * A[r, k] is at a + 4 (r ars + k acs), so A may be read transposed. B is [K, nv vectors].
 */
export function gemmSparse(
  a: usize, ars: i32, acs: i32, K: i32,
  b: usize, bs: i32, nv: i32, bias: usize,
  c: usize, cs: i32, scratch: usize, r0: i32, r1: i32,
): void {
  const bRow = <usize>bs << 2;
  for (let r = r0; r < r1; r++) {
    let count = 0;
    const row = a + ((<usize>r * <usize>ars) << 2);
    if (acs == 1) {
      // Contiguous row: test four entries at a time.
      let k = 0;
      for (; k + 4 <= K; k += 4) {
        const v = v128.load(row + (<usize>k << 2));
        if (!v128.any_true(f32x4.ne(v, f32x4.splat(0)))) continue;
        for (let q = 0; q < 4; q++) {
          const x = load<f32>(row + (<usize>(k + q) << 2));
          if (x != 0) {
            const ent = scratch + (<usize>count) * ENTRY;
            store<i32>(ent, <i32>(<usize>(k + q) * bRow));
            store<f32>(ent, x, 4);
            count++;
          }
        }
      }
      for (; k < K; k++) {
        const x = load<f32>(row + (<usize>k << 2));
        if (x != 0) {
          const ent = scratch + (<usize>count) * ENTRY;
          store<i32>(ent, <i32>(<usize>k * bRow));
          store<f32>(ent, x, 4);
          count++;
        }
      }
    } else {
      const step = <usize>acs << 2;
      for (let k = 0; k < K; k++) {
        const x = load<f32>(row + <usize>k * step);
        if (x != 0) {
          const ent = scratch + (<usize>count) * ENTRY;
          store<i32>(ent, <i32>(<usize>k * bRow));
          store<f32>(ent, x, 4);
          count++;
        }
      }
    }
    axpyList(scratch, count, b, bias, c + ((<usize>r * <usize>cs) << 2), nv);
  }
}

/**
 * Sign bits of a row of +1/-1 floats: bit k of the words at `mask` is 1 where A[k] < 0.
 * Padding columns (zeros) give 0 bits and are cleared anyway.
 */
// @ts-ignore: decorator
@inline
function signMask(row: usize, K: i32, mask: usize): void {
  const words = (K + 31) >> 5;
  for (let w = 0; w < words; w++) {
    let bits: u32 = 0;
    const base = row + (<usize>w << 7);
    const kEnd = min(K - (w << 5), 32);
    for (let q = 0; q < kEnd; q += 4) bits |= (<u32>i32x4.bitmask(v128.load(base + (<usize>q << 2)))) << q;
    if (kEnd < 32) bits &= (<u32>1 << kEnd) - 1;
    store<u32>(mask + (<usize>w << 2), bits);
  }
}

/**
 * A product whose left operand is +1/-1 (hidden activations): only additions.
 *   C[r, :] = bias + colsum(B) - 2 sum_{k: A[r,k]=-1} B[k, :]   or   bias - colsum(B) + 2 sum_{k: A[r,k]=+1} B[k, :]
 * whichever sums fewer rows of B. The signs of row r come from A (as > 0: row r at a + 4 r as)
 * or, with as == 0, from precomputed sign masks at a (row r: words uint32 at a + 4 r words).
 * With `saved` (incRows > 0), rows r < incRows whose input differs in few entries from the input
 * saved at the previous call are updated instead: C[r, :] += sum_{k flipped} 2 A_new[r, k] B[k, :].
 * With saved != 0 the signs of every row are saved for the next call.
 */
export function gemmSign(
  a: usize, as: i32, K: i32,
  b: usize, bs: i32, nv: i32, colsum: usize, bias: usize,
  c: usize, cs: i32, saved: usize, incRows: i32, scratch: usize, r0: i32, r1: i32,
): i32 {
  let updated = 0; // rows updated from their flips (returned, for statistics)
  const bRow = <usize>bs << 2;
  const words = (K + 31) >> 5;
  const maskBuf = scratch;
  const list = scratch + (<usize>words << 2) + 64;
  const tmp = list + (<usize>K) * ENTRY; // one output row of partial sums
  for (let r = r0; r < r1; r++) {
    const out = c + ((<usize>r * <usize>cs) << 2);
    const save = saved + ((<usize>r * <usize>words) << 2);
    let mask = maskBuf;
    if (as == 0) mask = a + ((<usize>r * <usize>words) << 2);
    else signMask(a + ((<usize>r * <usize>as) << 2), K, mask);
    let neg = 0;
    for (let w = 0; w < words; w++) neg += <i32>popcnt<u32>(load<u32>(mask + (<usize>w << 2)));
    const fewer = min(neg, K - neg);
    if (r < incRows) {
      let flips = 0;
      for (let w = 0; w < words; w++) flips += <i32>popcnt<u32>(load<u32>(mask + (<usize>w << 2)) ^ load<u32>(save + (<usize>w << 2)));
      // An update costs about 1.5x a full row per entry (it also multiplies); see README.
      if (3 * flips < 2 * fewer) {
        let count = 0;
        for (let w = 0; w < words; w++) {
          const now = load<u32>(mask + (<usize>w << 2));
          let diff = now ^ load<u32>(save + (<usize>w << 2));
          while (diff != 0) {
            const bit = ctz<u32>(diff);
            diff &= diff - 1;
            const k = (w << 5) + <i32>bit;
            const ent = list + (<usize>count) * ENTRY;
            store<i32>(ent, <i32>(<usize>k * bRow));
            store<f32>(ent, ((now >> bit) & 1) != 0 ? -2.0 : 2.0, 4);
            count++;
          }
          store<u32>(save + (<usize>w << 2), now);
        }
        axpyList(list, count, b, out, out, nv);
        updated++;
        continue;
      }
    }
    // Full row: sum the rows of the smaller sign class.
    const wantNeg: u32 = neg <= K - neg ? 1 : 0;
    let count = 0;
    for (let w = 0; w < words; w++) {
      const now = load<u32>(mask + (<usize>w << 2));
      if (saved != 0) store<u32>(save + (<usize>w << 2), now);
      let sel = wantNeg ? now : ~now;
      if (!wantNeg && (w << 5) + 32 > K) sel &= (<u32>1 << (K - (w << 5))) - 1;
      while (sel != 0) {
        const bit = ctz<u32>(sel);
        sel &= sel - 1;
        store<i32>(list + (<usize>count) * ENTRY, <i32>(<usize>((w << 5) + <i32>bit) * bRow));
        count++;
      }
    }
    sumList(list, count, b, tmp, nv);
    // y = bias + s colsum + t (2 sum): s = +1, t = -1 for the negative class; s = -1, t = +1 otherwise.
    const s = f32x4.splat(wantNeg ? 1.0 : -1.0);
    const t = f32x4.splat(wantNeg ? -2.0 : 2.0);
    for (let v = 0; v < nv; v++) {
      const o: usize = <usize>v << 4;
      let y = f32x4.add(f32x4.mul(s, v128.load(colsum + o)), f32x4.mul(t, v128.load(tmp + o)));
      if (bias != 0) y = f32x4.add(v128.load(bias + o), y);
      v128.store(out + o, y);
    }
  }
  return updated;
}

// ---------------------------------------------------------------------------------------------
// +1/-1 inputs by table look-up: 4 inputs (a nibble of the sign mask) select one of 16 precomputed
// signed sums of 4 rows of B, so a row of the product is K/4 look-ups instead of up to K/2 rows.

/** Vectors per column tile of a table (32 floats, 128 bytes); rows of a tile slab are 128 bytes. */
const TILE: i32 = 8;
/** Bytes of the 16 entries of one chunk in one tile slab. */
const CHUNK_BYTES: usize = 16 * 128;

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

/** Rows of the product computed together, so that one tile slab of the table serves all of them. */
const BLOCK: i32 = 32;

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
      if (r < incRows) {
        let flips = 0;
        for (let w = 0; w < words; w++) flips += <i32>popcnt<u32>(load<u32>(mask + (<usize>w << 2)) ^ load<u32>(save + (<usize>w << 2)));
        // An update costs about 1.5 look-ups per flip (it also multiplies).
        if (3 * flips < 2 * chunks) {
          let count = 0;
          for (let w = 0; w < words; w++) {
            const now = load<u32>(mask + (<usize>w << 2));
            let diff = now ^ load<u32>(save + (<usize>w << 2));
            while (diff != 0) {
              const bit = ctz<u32>(diff);
              diff &= diff - 1;
              const ent = flipList + (<usize>count) * ENTRY;
              store<i32>(ent, <i32>(<usize>((w << 5) + <i32>bit) * bRow));
              store<f32>(ent, ((now >> bit) & 1) != 0 ? -2.0 : 2.0, 4);
              count++;
            }
            store<u32>(save + (<usize>w << 2), now);
          }
          const out = c + ((<usize>r * <usize>cs) << 2);
          axpyList(flipList, count, b, out, out, nv);
          updated++;
          continue;
        }
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

/**
 * Sign masks of the columns of a +1/-1 matrix D [n, K]: for k in [k0, k1), bit i of the words at
 * out + 4 k words is 1 where D[i, k] < 0 (words = ceil(n / 32)). Feeds gemmSign with D^T.
 */
export function signMasksT(d: usize, ds: i32, n: i32, K: i32, out: usize, k0: i32, k1: i32): void {
  const words = (n + 31) >> 5;
  for (let k = k0; k < k1; k++) {
    const col = d + (<usize>k << 2);
    const o = out + ((<usize>k * <usize>words) << 2);
    for (let w = 0; w < words; w++) {
      let bits: u32 = 0;
      const iEnd = min(n - (w << 5), 32);
      for (let b = 0; b < iEnd; b++) {
        const v = load<u32>(col + ((<usize>((w << 5) + b) * <usize>ds) << 2));
        bits |= (v >> 31) << <u32>b;
      }
      store<u32>(o + (<usize>w << 2), bits);
    }
  }
}

/**
 * dst = src^T for the rows [j0, j1) of dst (j0 a multiple of 4). src is [rows, cols] with
 * stride ss, dst is [cols, rows] with stride ds >= rows rounded up to 4 (padding gets zeros).
 * 4x4 blocks are transposed in registers.
 */
export function transpose(src: usize, ss: i32, rows: i32, cols: i32, dst: usize, ds: i32, j0: i32, j1: i32): void {
  const zero = f32x4.splat(0);
  const srow = <usize>ss << 2;
  for (let i = 0; i < rows; i += 4) {
    const s0 = src + <usize>i * srow;
    const has1 = i + 1 < rows, has2 = i + 2 < rows, has3 = i + 3 < rows;
    for (let j = j0; j < j1; j += 4) {
      const o: usize = <usize>j << 2;
      const a = v128.load(s0 + o);
      const b = has1 ? v128.load(s0 + srow + o) : zero;
      const c = has2 ? v128.load(s0 + 2 * srow + o) : zero;
      const e = has3 ? v128.load(s0 + 3 * srow + o) : zero;
      const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(c, e, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(c, e, 2, 6, 3, 7);
      const d0 = dst + ((<usize>j * <usize>ds + <usize>i) << 2);
      const drow = <usize>ds << 2;
      v128.store(d0, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      if (j + 1 < cols) v128.store(d0 + drow, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      if (j + 2 < cols) v128.store(d0 + 2 * drow, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      if (j + 3 < cols) v128.store(d0 + 3 * drow, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
  }
}

/** colsum[v] = sum_k B[k, v] for vectors [v0, v1) (k ascending). */
export function colSums(b: usize, bs: i32, K: i32, out: usize, v0: i32, v1: i32): void {
  for (let v = v0; v < v1; v++) {
    const o: usize = <usize>v << 4;
    let acc = f32x4.splat(0);
    for (let k = 0; k < K; k++) acc = f32x4.add(acc, v128.load(b + ((<usize>k * <usize>bs) << 2) + o));
    v128.store(out + o, acc);
  }
}

/** out[v] = sum_{r < n} Y[r, v] (bias gradient), for vectors [v0, v1). */
export function rowSums(y: usize, ys: i32, n: i32, out: usize, v0: i32, v1: i32): void {
  colSums(y, ys, n, out, v0, v1);
}

// ---------------------------------------------------------------------------------------------
// Elementwise.

/** dZ = dD where |z| < 1, else 0; floats [e0, e1) (multiples of 4). */
export function straightThrough(z: usize, dd: usize, dz: usize, e0: i32, e1: i32): void {
  const one = f32x4.splat(1);
  for (let e = e0; e < e1; e += 4) {
    const o: usize = <usize>e << 2;
    const keep = f32x4.lt(f32x4.abs(v128.load(z + o)), one);
    v128.store(dz + o, v128.and(v128.load(dd + o), keep));
  }
}

/** v = mu v + g; w -= lr v over floats [e0, e1) (multiples of 4). */
export function sgd(w: usize, g: usize, v: usize, lr: f32, mu: f32, e0: i32, e1: i32): void {
  const l = f32x4.splat(lr), m = f32x4.splat(mu);
  for (let e = e0; e < e1; e += 4) {
    const o: usize = <usize>e << 2;
    const vel = f32x4.add(f32x4.mul(m, v128.load(v + o)), v128.load(g + o));
    v128.store(v + o, vel);
    v128.store(w + o, f32x4.sub(v128.load(w + o), f32x4.mul(l, vel)));
  }
}

// ---------------------------------------------------------------------------------------------
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
function philoxRow(out: usize, cols: i32, row: u32, layer: u32, pass: u32, seed: u32): void {
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

// ---------------------------------------------------------------------------------------------
// The qubit neuron (MODEL.md section 2, core/src/neuron.ts), float64.

const HALF_PI: f64 = 1.5707963267948966;
const TWO_POW_M32: f64 = 2.3283064365386963e-10;
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
function sin64(y: f64): f64 {
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
function cos64(y: f64): f64 {
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

const QUARTER_PI: f64 = 0.7853981633974483;

// @ts-ignore: decorator
@inline
function target64(z: f64, a: f64, act: i32): f64 {
  if (a == 0) return z > 0 ? 1.0 : -1.0;
  const x = z / a;
  return act == 0 ? tanh64(x) : max(-1.0, min(1.0, x));
}

/** P(+1) of a qubit in a basis state measured projectively: (1 + sin(pi t / 2)) / 2, float64. */
// @ts-ignore: decorator
@inline
function prob64(z: f64, a: f64, act: i32): f64 {
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

// A float32 screen decides most outcomes: p32 is within 2e-6 of prob64 (tested in
// test/kernels.test.ts), so wherever |u - p32| > SCREEN the float64 comparison u < p gives the
// same answer; the few other draws are decided in float64.
// SCREEN = 1e-5 is the second vector of NEURON32.

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
function prob32(z: v128, invA: v128, act: i32): v128 {
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

// ---------------------------------------------------------------------------------------------
// The general path in two float64 lanes (f64x2): the same polynomials as tanh64, sin64, cos64.

/** Constants of the f64x2 functions as vectors in static memory (see PROB32). */
const F64C: usize = memory.data<f64>([
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

// @ts-ignore: decorator
@inline
function tanh2(x: v128): v128 {
  // e^(-2|x|) with |x| capped at 22, where tanh is 1 in float64.
  const y = f64x2.mul(f64x2.pmin(f64x2.abs(x), v128.load(F64C, 560)), v128.load(F64C, 544));
  const k = f64x2.nearest(f64x2.mul(y, v128.load(F64C, 496)));
  const r = f64x2.sub(f64x2.sub(y, f64x2.mul(k, v128.load(F64C, 512))), f64x2.mul(k, v128.load(F64C, 528)));
  let p = v128.load(F64C, 0);
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, 16));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, 32));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, 48));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, 64));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, 80));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, 96));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, 112));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, 128));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, 144));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, 160));
  p = f64x2.add(f64x2.mul(p, r), v128.load(F64C, 176));
  const bits = i64x2.shl(i64x2.add(i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k)), i64x2.splat(1023)), 52);
  const e = f64x2.mul(p, bits);
  const one = v128.load(F64C, 576);
  const ta = f64x2.div(f64x2.sub(one, e), f64x2.add(one, e));
  return v128.or(ta, v128.and(x, i64x2.splat(0x8000000000000000)));
}

// @ts-ignore: decorator
@inline
function sin2(y: v128): v128 {
  const y2 = f64x2.mul(y, y);
  let p = v128.load(F64C, 192);
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 208));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 224));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 240));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 256));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 272));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 288));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 304));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 320));
  return f64x2.sub(y, f64x2.mul(f64x2.mul(y, y2), p));
}

// @ts-ignore: decorator
@inline
function cos2(y: v128): v128 {
  const y2 = f64x2.mul(y, y);
  let p = v128.load(F64C, 336);
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 352));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 368));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 384));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 400));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 416));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 432));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 448));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 464));
  p = f64x2.add(f64x2.mul(p, y2), v128.load(F64C, 480));
  return f64x2.add(v128.load(F64C, 576), f64x2.mul(y2, p));
}

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
    if (a == 0) t = v128.bitselect(v128.load(F64C, 576), v128.load(F64C, 656), f64x2.gt(z, v128.load(F64C, 640)));
    else if (act == 0) t = tanh2(f64x2.div(z, av));
    else t = f64x2.pmax(v128.load(F64C, 656), f64x2.pmin(v128.load(F64C, 576), f64x2.div(z, av)));
    // m of the two qubits as float64 (+1 / -1).
    const mm = f64x2(<f64>load<i8>(mr + j), <f64>load<i8>(mr + j + 1));
    const sj = sr + (j << 4);
    let c: v128, sn: v128;
    if (clean) {
      const h = v128.load(F64C, 592);
      c = f64x2.mul(h, f64x2.add(v128.load(F64C, 576), mm));
      sn = f64x2.mul(h, f64x2.sub(v128.load(F64C, 576), mm));
    } else {
      const q0 = v128.load(sj), q1 = v128.load(sj, 16); // (c0, s0), (c1, s1)
      c = v128.shuffle<f64>(q0, q1, 0, 2);
      sn = v128.shuffle<f64>(q0, q1, 1, 3);
    }
    const half = f64x2.mul(v128.load(F64C, 608), f64x2.sub(mm, t));
    const sh = sin2(half), ch = cos2(half);
    const c1 = f64x2.sub(f64x2.mul(c, ch), f64x2.mul(sn, sh));
    const s1 = f64x2.add(f64x2.mul(sn, ch), f64x2.mul(c, sh));
    const p = f64x2.mul(v128.load(F64C, 592), f64x2.add(v128.load(F64C, 576), f64x2.mul(sgv, f64x2.sub(f64x2.mul(c1, c1), f64x2.mul(s1, s1)))));
    const u = f64x2.mul(f64x2.convert_low_i32x4_u(v128.load64_zero(words + (j << 2))), v128.load(F64C, 624));
    const plus = f64x2.lt(u, p);
    const f = v128.and(plus, v128.load(F64C, 576));
    const c2 = f64x2.mul(f64x2.add(m0b, f64x2.mul(f, m0d)), c1);
    const s2 = f64x2.mul(f64x2.add(m1b, f64x2.mul(f, m1d)), s1);
    const norm = f64x2.sqrt(f64x2.add(f64x2.mul(c2, c2), f64x2.mul(s2, s2)));
    const ok = f64x2.gt(norm, v128.load(F64C, 640));
    const cn = v128.bitselect(f64x2.div(c2, norm), c1, ok);
    const snn = v128.bitselect(f64x2.div(s2, norm), s1, ok);
    v128.store(sj, v128.shuffle<f64>(cn, snn, 0, 2));
    v128.store(sj, v128.shuffle<f64>(cn, snn, 1, 3), 16);
    const dv = f64x2.sub(f64x2.add(f, f), v128.load(F64C, 576)); // +1 / -1
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

/**
 * One hidden layer of qubit neurons for rows [r0, r1).
 *   mode 0: a = 0 and g = pi/2 on a register in a basis state: d = sign(z), no draws.
 *   mode 1: g = pi/2 on a register in a basis state (alpha in {0, pi}): P(+1) = (1 + sin(pi t / 2)) / 2.
 *   mode 2: the general update of core/src/neuron.ts (probPlus, backAction) from the stored state.
 * Modes 0 and 1 write d (+1/-1) and the register's outcome m; the state of a basis state follows
 * from m (alpha 0 for +1, pi for -1) and is only stored by mode 2, which derives it for rows < cleanRows.
 */
export function neuronLayer(
  z: usize, zs: i32, cols: i32, d: usize, ds: i32,
  m: usize, state: usize, qs: i32,
  mode: i32, a: f64, act: i32, g: f64, cleanRows: i32,
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
    if (mode == 0) {
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
    if (mode == 1) {
      let j = 0;
      for (; j < full; j += 4) {
        const p = prob32(v128.load(zr + (<usize>j << 2)), invA, act);
        const u = f32x4.mul(f32x4.convert_i32x4_u(v128.load(scratch + (<usize>j << 2))), v128.load(NEURON32, 0));
        const diff = f32x4.sub(p, u);
        let plus = f32x4.gt(diff, v128.load(NEURON32, 32));
        const unsure = i32x4.bitmask(f32x4.le(f32x4.abs(diff), v128.load(NEURON32, 16)));
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

/** First free byte after the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}
