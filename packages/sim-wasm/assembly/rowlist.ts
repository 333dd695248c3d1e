// Row lists: the entries (byte offset of a row of B, coefficient) that one row of a product
// needs, summed over column tiles of 8 vectors that stay in registers.

import { ENTRY } from "./layout";

/**
 * acc[t] = init[t] + sum_e coef_e * B[off_e + t] for the vectors t of [v0, v1) of one output row.
 * `init` may be 0 (start from zero). Tiles of 8 vectors keep the accumulators in registers.
 */
// @ts-ignore: decorator
@inline
export function axpyList(list: usize, count: i32, b: usize, init: usize, c: usize, nv: i32): void {
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
export function sumList(list: usize, count: i32, b: usize, c: usize, nv: i32): void {
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
