// Sign masks of +1/-1 rows and the incremental update of a product from the flips of its input.

import { ENTRY } from "./layout";
import { axpyList } from "./rowlist";

/**
 * Sign bits of a row of +1/-1 floats: bit k of the words at `mask` is 1 where A[k] < 0.
 * Padding columns (zeros) give 0 bits and are cleared anyway.
 */
// @ts-ignore: decorator
@inline
export function signMask(row: usize, K: i32, mask: usize): void {
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

/** Entries whose sign differs between the masks at `mask` and `save` (`words` uint32 each). */
// @ts-ignore: decorator
@inline
export function countFlips(mask: usize, save: usize, words: i32): i32 {
  let flips = 0;
  for (let w = 0; w < words; w++) flips += <i32>popcnt<u32>(load<u32>(mask + (<usize>w << 2)) ^ load<u32>(save + (<usize>w << 2)));
  return flips;
}

/**
 * Updates one output row from the flips of its +1/-1 input since the mask saved at `save`:
 * out += sum_{k flipped} 2 A_new[k] B[k, :] (A_new[k] = -1 where the new bit is set), then saves
 * the new mask. B has rows of bRow bytes; `list` has room for an entry per input.
 */
// @ts-ignore: decorator
@inline
export function applyFlips(mask: usize, save: usize, words: i32, list: usize, b: usize, bRow: usize, out: usize, nv: i32): void {
  let count = 0;
  for (let w = 0; w < words; w++) {
    const now = load<u32>(mask + (<usize>w << 2));
    let diff = now ^ load<u32>(save + (<usize>w << 2));
    while (diff != 0) {
      const bit = ctz<u32>(diff);
      diff &= diff - 1;
      const ent = list + (<usize>count) * ENTRY;
      store<i32>(ent, <i32>(<usize>((w << 5) + <i32>bit) * bRow));
      store<f32>(ent, ((now >> bit) & 1) != 0 ? -2.0 : 2.0, 4);
      count++;
    }
    store<u32>(save + (<usize>w << 2), now);
  }
  axpyList(list, count, b, out, out, nv);
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
