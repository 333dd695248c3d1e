import { describe, expect, it } from "vitest";
import { DataError } from "../src/errors.js";
import { PAPER_NETWORK } from "../src/spec.js";
import { checkFinite, deserializeWeights, initWeights, serializeWeights } from "../src/weights.js";

const spec = { ...PAPER_NETWORK, width: 64, depth: 3, bias: true };

describe("weights", () => {
  it("initialise from N(0, 1/fan_in), reproducibly per seed (variance within 5 sigma)", () => {
    const w = initWeights(spec, 1);
    expect(w.map((l) => [l.out, l.in])).toEqual([[64, 784], [64, 64], [10, 64]]);
    for (const l of w) {
      const n = l.w.length;
      const v = l.w.reduce((s, x) => s + x * x, 0) / n;
      // Var of the sample second moment of N(0, s2) is 2 s2^2 / n.
      expect(Math.abs(v - 1 / l.in)).toBeLessThan((5 * Math.sqrt(2 / n)) / l.in);
      expect(Array.from(l.b!)).toEqual(new Array(l.out).fill(0));
    }
    expect(initWeights(spec, 1)[1].w).toEqual(w[1].w);
    expect(initWeights(spec, 2)[1].w).not.toEqual(w[1].w);
  });

  it("round-trip through JSON exactly", () => {
    const w = initWeights(spec, 3);
    const back = deserializeWeights(JSON.parse(JSON.stringify(serializeWeights(w))), spec, "test");
    back.forEach((l, i) => {
      expect(l.w).toEqual(w[i].w);
      expect(l.b).toEqual(w[i].b);
    });
  });

  it("reject truncated data and the wrong depth with a clear error", () => {
    const s = serializeWeights(initWeights(spec, 3));
    const cut = s.map((l, i) => (i === 1 ? { ...l, w: l.w.slice(0, 100) } : l));
    expect(() => deserializeWeights(cut, spec, "w.json")).toThrow(/w.json: layer 2 w has \d+ bytes, expected 16384 \(4096 float32 values\); the file is truncated/);
    expect(() => deserializeWeights(s.slice(0, 2), spec, "w.json")).toThrow(/expected 3 weight layers/);
  });

  it("name the first non-finite weight", () => {
    const w = initWeights(spec, 4);
    w[2].w[7] = Number.NaN;
    expect(() => checkFinite(w)).toThrow(DataError);
    expect(() => checkFinite(w)).toThrow("weights: layer 3 w[7] is NaN");
  });
});
