import { describe, expect, it } from "vitest";
import { formatScaling, scaling, type BenchRecord } from "../src/bench.js";

const record = (threads: number, epochSeconds: number, evalSeconds: number): BenchRecord => ({
  backend: "sim-wasm", threads, epochSeconds, evalSeconds, gflops: 1, peakRssMB: 100, peakGflops: 268, g: Math.PI / 2, repetitions: 3, warmup: 1,
});

describe("bench scaling", () => {
  it("relates every thread count's times to the first one's", () => {
    const rows = scaling([record(1, 0.5, 2), record(2, 0.29, 1.05), record(4, 0.2, 0.6)]);
    expect(rows.map((r) => r.threads)).toEqual([1, 2, 4]);
    expect(rows.map((r) => r.epochRatio)).toEqual([1, 0.29 / 0.5, 0.2 / 0.5]);
    expect(rows.map((r) => r.evalRatio)).toEqual([1, 1.05 / 2, 0.6 / 2]);
  });

  it("prints one line per thread count with times and ratios", () => {
    const text = formatScaling("sim-wasm", scaling([record(1, 0.5, 2), record(2, 0.29, 1.05)]));
    const lines = text.split("\n");
    expect(lines[0]).toBe("sim-wasm scaling (time relative to 1 thread):");
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/^\s+2\s+0\.290 s\s+0\.58x\s+1\.050 s\s+0\.53x$/);
  });
});
