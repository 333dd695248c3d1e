import { describe, expect, it } from "vitest";
import { neuronUniforms, philox4x32, RandomStream, Stream, toUniform } from "../src/rng.js";

const hex = (a: Uint32Array) => Array.from(a, (x) => x.toString(16).padStart(8, "0")).join(" ");

describe("Philox4x32-10", () => {
  it("matches the Random123 known-answer vectors", () => {
    const out = new Uint32Array(4);
    philox4x32(0, 0, 0, 0, 0, 0, out);
    expect(hex(out)).toBe("6627e8d5 e169c58d bc57ac4c 9b00dbd8");
    philox4x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, out);
    expect(hex(out)).toBe("408f276d 41c83b0e a20bc7c6 6d5451fd");
    philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
    expect(hex(out)).toBe("d16cfe09 94fdcceb 5001e420 24126ea1");
  });

  it("maps words to [0, 1)", () => {
    expect(toUniform(0)).toBe(0);
    expect(toUniform(0xffffffff)).toBeLessThan(1);
    expect(toUniform(0x80000000)).toBe(0.5);
  });
});

describe("neuron uniforms", () => {
  it("are philox([j>>2, rowOffset+r, layer, pass], [seed, NEUR])[j&3], independent of batch layout", () => {
    const key = { seed: 9, pass: 5, layer: 2, rowOffset: 100 };
    const u = new Float64Array(3 * 7);
    neuronUniforms(key, 3, 7, u);
    const block = new Uint32Array(4);
    philox4x32(6 >> 2, 102, 2, 5, 9, Stream.neuron, block);
    expect(u[2 * 7 + 6]).toBe(toUniform(block[6 & 3]));
    // Row 2 of a batch at offset 100 is row 0 of a batch at offset 102.
    const v = new Float64Array(7);
    neuronUniforms({ ...key, rowOffset: 102 }, 1, 7, v);
    expect(Array.from(v)).toEqual(Array.from(u.subarray(14, 21)));
  });

  it("are uniform: chi-square over 20 bins below the 1e-6 false-alarm critical value", () => {
    const rows = 2000, cols = 50;
    const u = new Float64Array(rows * cols);
    neuronUniforms({ seed: 1, pass: 0, layer: 0, rowOffset: 0 }, rows, cols, u);
    const bins = new Array(20).fill(0);
    for (const x of u) bins[Math.floor(x * 20)]++;
    const expected = u.length / 20;
    const chi2 = bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    // chi-square with 19 degrees of freedom: P(X > 59.7) ~ 1e-6.
    expect(chi2).toBeLessThan(59.7);
  });
});

describe("RandomStream", () => {
  it("is reproducible per (seed, purpose, id) and differs otherwise", () => {
    const draw = (s: RandomStream) => Array.from({ length: 10 }, () => s.nextWord());
    expect(draw(new RandomStream(1, "init", 0))).toEqual(draw(new RandomStream(1, "init", 0)));
    expect(draw(new RandomStream(1, "init", 0))).not.toEqual(draw(new RandomStream(2, "init", 0)));
    expect(draw(new RandomStream(1, "init", 0))).not.toEqual(draw(new RandomStream(1, "shuffle", 0)));
    expect(draw(new RandomStream(1, "init", 0))).not.toEqual(draw(new RandomStream(1, "init", 1)));
  });

  it("permutes without loss or repetition", () => {
    const p = new RandomStream(3, "shuffle", 0).permutation(1000);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(p.subarray(0, 10))).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("draws normals with mean 0 and variance 1 (5-sigma bounds, n = 100000)", () => {
    const s = new RandomStream(4, "init", 0);
    const n = 100_000;
    let sum = 0, sq = 0;
    for (let i = 0; i < n; i++) {
      const x = s.normal();
      sum += x;
      sq += x * x;
    }
    const mean = sum / n;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    // Var of the sample variance of a normal is 2/n.
    expect(Math.abs(sq / n - mean * mean - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it("below(n) is in range and rejects bad n", () => {
    const s = new RandomStream(5, "split", 0);
    for (let i = 0; i < 1000; i++) {
      const k = s.below(7);
      expect(k >= 0 && k < 7 && Number.isInteger(k)).toBe(true);
    }
    expect(() => s.below(0)).toThrow(RangeError);
  });
});
