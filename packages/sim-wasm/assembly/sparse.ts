// Products with a sparse left operand (MNIST pixels, straight-through gradients).

import { ENTRY } from "./layout";
import { axpyList } from "./rowlist";

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
