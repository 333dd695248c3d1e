import { describe, expect, it } from "vitest";
import { ConfigError, DataError } from "@natural-quantization/core";
import { loadMnistSubset, mnistClassCounts, stratifiedSplit } from "../src/index.js";

const COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

function classOf(index: number, counts: readonly number[]): number {
  let c = 0;
  while (index >= counts[c]) index -= counts[c++];
  return c;
}

describe("stratifiedSplit", () => {
  it("gives exact totals, no overlap, and per-class shares within 1 of proportional", () => {
    for (const [tr, te] of [[5000, 5000], [1000, 200], [7, 3], [9999, 1], [1, 9999], [3333, 6667]]) {
      const { train, test } = stratifiedSplit(COUNTS, tr, te);
      expect(train.length).toBe(tr);
      expect(test.length).toBe(te);
      const all = new Set([...train, ...test]);
      expect(all.size).toBe(tr + te);
      for (const i of all) expect(i).toBeLessThan(10000);
      for (const [set, size] of [[train, tr], [test, te]] as const) {
        const per = new Array(10).fill(0);
        for (const i of set) per[classOf(i, COUNTS)]++;
        per.forEach((n, c) => expect(Math.abs(n - (size * COUNTS[c]) / 10000)).toBeLessThan(1));
      }
    }
  });

  it("keeps the test set independent of trainSize and the train set of testSize", () => {
    const a = stratifiedSplit(COUNTS, 1000, 2000);
    const b = stratifiedSplit(COUNTS, 6000, 2000);
    const c = stratifiedSplit(COUNTS, 1000, 500);
    expect(b.test).toEqual(a.test);
    expect(c.train).toEqual(a.train);
  });

  it("interleaves classes so no class forms a block", () => {
    const { train } = stratifiedSplit(COUNTS, 1000, 1000);
    let run = 1;
    let longest = 1;
    for (let i = 1; i < train.length; i++) {
      run = classOf(train[i], COUNTS) === classOf(train[i - 1], COUNTS) ? run + 1 : 1;
      longest = Math.max(longest, run);
    }
    expect(longest).toBeLessThanOrEqual(2);
    // Every prefix of 100 has every class.
    expect(new Set(Array.from(train.subarray(0, 100), (i) => classOf(i, COUNTS))).size).toBe(10);
  });

  it("uses the whole set when the sizes add up to the total", () => {
    const { train, test } = stratifiedSplit([3, 5, 2], 4, 6);
    expect(new Set([...train, ...test]).size).toBe(10);
  });

  it("rejects sizes above the total, naming sizes and limit", () => {
    expect(() => stratifiedSplit(COUNTS, 6000, 5000)).toThrow(DataError);
    expect(() => stratifiedSplit(COUNTS, 6000, 5000)).toThrow(/trainSize 6000 \+ testSize 5000 = 11000 exceeds the 10000 .*at most 10000/);
  });
});

describe("loadMnistSubset", () => {
  it("finds the 10,000 bundled digits", () => {
    expect(mnistClassCounts()).toEqual(COUNTS);
  });

  it("loads the default 5000/5000 split with values in [0, 1]", () => {
    const d = loadMnistSubset();
    expect(d.name).toBe("mnist-subset");
    expect(d.inputSize).toBe(784);
    expect(d.numClasses).toBe(10);
    for (const s of [d.train, d.test]) {
      expect(s.n).toBe(5000);
      expect(s.x.length).toBe(5000 * 784);
      expect(s.y.length).toBe(5000);
      let min = Infinity, max = -Infinity;
      for (const v of s.x) { if (v < min) min = v; if (v > max) max = v; }
      expect(min).toBe(0);
      expect(max).toBe(1);
      expect(s.y.every((y) => y >= 0 && y < 10)).toBe(true);
    }
  });

  it("is deterministic, stratified and has no image in both splits", () => {
    const a = loadMnistSubset({ trainSize: 800, testSize: 400 });
    const b = loadMnistSubset({ trainSize: 800, testSize: 400 });
    // Byte comparison: toEqual on 600k-element arrays takes seconds.
    const bytes = (v: Float32Array | Int32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    for (const s of ["train", "test"] as const) {
      expect(bytes(b[s].x).equals(bytes(a[s].x))).toBe(true);
      expect(bytes(b[s].y).equals(bytes(a[s].y))).toBe(true);
    }
    // Images compared by their exact bytes.
    const key = (x: Float32Array, i: number) => Buffer.from(x.buffer, x.byteOffset + i * 784 * 4, 784 * 4).toString("base64");
    const trainImages = new Set(Array.from({ length: a.train.n }, (_, i) => key(a.train.x, i)));
    expect(trainImages.size).toBe(800);
    expect(Array.from({ length: a.test.n }, (_, i) => key(a.test.x, i)).filter((k) => trainImages.has(k))).toEqual([]);
    for (const [s, size] of [[a.train, 800], [a.test, 400]] as const) {
      const per = new Array(10).fill(0);
      for (const y of s.y) per[y]++;
      per.forEach((n, c) => expect(Math.abs(n - (size * COUNTS[c]) / 10000)).toBeLessThan(1));
    }
  });

  it("rejects impossible sizes", () => {
    expect(() => loadMnistSubset({ trainSize: 9000, testSize: 2000 })).toThrow(/exceeds the 10000 available images/);
    expect(() => loadMnistSubset({ trainSize: 0 })).toThrow(ConfigError);
    expect(() => loadMnistSubset({ testSize: 1.5 })).toThrow(ConfigError);
  });
});
