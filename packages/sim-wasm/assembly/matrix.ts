// Layout changes, sums over rows and the elementwise steps of training.

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
