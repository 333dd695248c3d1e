/**
 * Counter-based random numbers (Philox4x32-10, Salmon et al. 2011, as in Random123).
 *
 * A draw is a pure function of (key, counter), so any backend, in any order, on any
 * number of threads, can produce the same number for the same neuron of the same sample
 * of the same forward pass. That is what makes runs reproducible and backends comparable.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** Purposes of random streams; the second key word separates them. */
export const Stream = {
  neuron: 0x4e455552, // "NEUR": measurement outcomes
  init: 0x494e4954, // "INIT": weight initialisation
  shuffle: 0x53485546, // "SHUF": minibatch order
  split: 0x53504c54, // "SPLT": dataset splits
  shots: 0x53484f54, // "SHOT": shots drawn by shot simulators (the local provider)
  noise: 0x4e4f4953, // "NOIS": noise inserted as sampled gates
} as const;
export type StreamName = keyof typeof Stream;

/** Philox4x32-10 into `out` (4 unsigned 32-bit words). */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
): void {
  c0 >>>= 0; c1 >>>= 0; c2 >>>= 0; c3 >>>= 0; k0 >>>= 0; k1 >>>= 0;
  for (let round = 0; round < 10; round++) {
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi0 = mulhi(M0, c0);
    const lo1 = Math.imul(M1, c2) >>> 0;
    const hi1 = mulhi(M1, c2);
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

/** High 32 bits of the 64-bit product of two unsigned 32-bit words. */
function mulhi(a: number, b: number): number {
  const aL = a & 0xffff, aH = a >>> 16, bL = b & 0xffff, bH = b >>> 16;
  const ll = aL * bL, lh = aL * bH, hl = aH * bL, hh = aH * bH;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/** A 32-bit word as a uniform number in [0, 1). */
export function toUniform(word: number): number {
  return (word >>> 0) * 2.3283064365386963e-10;
}

/**
 * Where a neuron's measurement draw comes from: the uniform for row r, column j of a
 * layer is philox(counter = [j >> 2, rowOffset + r, layer, pass], key = [seed, NEUR])[j & 3].
 */
export interface DrawKey {
  /** Run seed (unsigned 32-bit). */
  readonly seed: number;
  /** Forward-pass id, unique per training step / evaluation shot. */
  readonly pass: number;
  /** Hidden-layer index, 0-based. */
  readonly layer: number;
  /** Global index of the first row of the batch (rows of one pass must not overlap). */
  readonly rowOffset: number;
}

/** Fills `out[r * cols + j]` with the neuron uniforms of rows [0, rows) of a layer. */
export function neuronUniforms(key: DrawKey, rows: number, cols: number, out: Float64Array): void {
  const block = new Uint32Array(4);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let j = 0; j < cols; j += 4) {
      philox4x32(j >>> 2, key.rowOffset + r, key.layer, key.pass, key.seed, Stream.neuron, block);
      const n = Math.min(4, cols - j);
      for (let q = 0; q < n; q++) out[base + j + q] = toUniform(block[q]);
    }
  }
}

/**
 * One 32-bit word that names a neuron-layer call of a run (its pass, layer and row offset): a
 * device seeded by the run draws that call's shots from its own stream.
 */
export function runStreamId(run: DrawKey): number {
  const block = new Uint32Array(4);
  philox4x32(run.pass, run.layer, run.rowOffset, 0, run.seed, Stream.shots, block);
  return block[0];
}

/**
 * A sequential stream for set-up work (initial weights, shuffles, splits) and simulated shots: the
 * i-th word is philox([i >> 2, id, id2, 0], [seed, purpose])[i & 3], so a stream is reproducible
 * and independent of every other (seed, purpose, id, id2).
 */
export class RandomStream {
  private readonly block = new Uint32Array(4);
  private index = 0;
  private spare: number | null = null;

  constructor(
    readonly seed: number,
    readonly purpose: StreamName,
    readonly id = 0,
    readonly id2 = 0,
  ) {}

  /** Next unsigned 32-bit word. */
  nextWord(): number {
    const q = this.index & 3;
    if (q === 0) philox4x32(this.index / 4, this.id, this.id2, 0, this.seed, Stream[this.purpose], this.block);
    this.index++;
    return this.block[q];
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextWord() >>> 5;
    const lo = this.nextWord() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box-Muller; the second value is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** Unbiased integer in [0, n) (rejection sampling on 32-bit words). */
  below(n: number): number {
    if (!(n >= 1 && n <= 2 ** 32)) throw new RangeError(`below(n) needs 1 <= n <= 2^32, got ${n}`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const w = this.nextWord();
      if (w < limit) return w % n;
    }
  }

  /** Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = p[i]; p[i] = p[j]; p[j] = t;
    }
    return p;
  }
}
