// Products whose left operand is +1/-1 (hidden activations): additions only.

import { ENTRY } from "./layout";
import { sumList } from "./rowlist";
import { applyFlips, countFlips, signMask } from "./signbits";

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
    // An update costs about 1.5x a full row per entry (it also multiplies); see README.
    if (r < incRows && 3 * countFlips(mask, save, words) < 2 * fewer) {
      applyFlips(mask, save, words, list, b, bRow, out, nv);
      updated++;
      continue;
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
