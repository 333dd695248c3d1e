import { describe, expect, it } from "vitest";
import { ConfigError } from "@natural-quantization/core";
import { syntheticDataset } from "../src/index.js";

describe("syntheticDataset", () => {
  it("has the default shapes and values in [0, 1]", () => {
    const d = syntheticDataset();
    expect(d).toMatchObject({ name: "synthetic", inputSize: 64, numClasses: 4 });
    expect(d.train.n).toBe(512);
    expect(d.train.x.length).toBe(512 * 64);
    expect(d.test.n).toBe(256);
    expect(d.test.y.length).toBe(256);
    expect(d.train.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    const per = [0, 0, 0, 0];
    for (const y of d.train.y) per[y]++;
    expect(per).toEqual([128, 128, 128, 128]);
  });

  it("is deterministic per seed", () => {
    const opts = { trainSize: 20, testSize: 10, inputSize: 8, numClasses: 3 };
    const a = syntheticDataset({ ...opts, seed: 7 });
    expect(syntheticDataset({ ...opts, seed: 7 })).toEqual(a);
    expect(syntheticDataset({ ...opts, seed: 8 }).train.x).not.toEqual(a.train.x);
  });

  it("is learnable: nearest class mean of train classifies test well", () => {
    const d = syntheticDataset();
    const means = new Float64Array(d.numClasses * d.inputSize);
    const counts = new Array(d.numClasses).fill(0);
    for (let i = 0; i < d.train.n; i++) {
      counts[d.train.y[i]]++;
      for (let j = 0; j < d.inputSize; j++) means[d.train.y[i] * d.inputSize + j] += d.train.x[i * d.inputSize + j];
    }
    let correct = 0;
    for (let i = 0; i < d.test.n; i++) {
      let best = -1, bestDist = Infinity;
      for (let c = 0; c < d.numClasses; c++) {
        let dist = 0;
        for (let j = 0; j < d.inputSize; j++) dist += (d.test.x[i * d.inputSize + j] - means[c * d.inputSize + j] / counts[c]) ** 2;
        if (dist < bestDist) { bestDist = dist; best = c; }
      }
      if (best === d.test.y[i]) correct++;
    }
    expect(correct / d.test.n).toBeGreaterThan(0.95);
  });

  it("validates options", () => {
    expect(() => syntheticDataset({ numClasses: 1 })).toThrow(ConfigError);
    expect(() => syntheticDataset({ seed: -1 })).toThrow(/invalid seed/);
    expect(() => syntheticDataset({ noise: -0.1 })).toThrow(/invalid noise/);
  });
});
