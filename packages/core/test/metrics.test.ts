import { describe, expect, it } from "vitest";
import { errorRate, majority, meanStd } from "../src/metrics.js";

describe("metrics", () => {
  it("error rate with binomial standard error sqrt(p(1-p)/n)", () => {
    expect(errorRate(25, 100)).toEqual({ error: 0.25, stderr: Math.sqrt(0.25 * 0.75 / 100), n: 100 });
    expect(errorRate(0, 50).stderr).toBe(0);
  });

  it("majority vote breaks ties toward the lowest class", () => {
    const votes = Int32Array.from([
      1, 3, 3, 0, // tie 1 vs 2 -> 1
      0, 0, 0, 4, // clear 3
      2, 0, 0, 2, // tie 0 vs 3 -> 0
    ]);
    expect(Array.from(majority(votes, 3, 4))).toEqual([1, 3, 0]);
  });

  it("mean and sample standard deviation", () => {
    const r = meanStd([1, 2, 3, 4]);
    expect(r.mean).toBe(2.5);
    expect(r.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(meanStd([7]).std).toBe(0);
  });
});
