import { describe, expect, it } from "vitest";
import { HALF_PI, probPlus, RandomStream } from "@natural-quantization/core";
import { builtinTarget, compileForTarget, layerCircuits, LocalProvider, planLayer, toQasm2 } from "../../src/index.js";
import { chiSquareCritical } from "../providers/stats.js";

// The emitted programs (compiled to Heron's native gates, written as OpenQASM 2) run on the local
// provider, against core's exact P(m' = +1) = (1 + sin g cos alpha) / 2. Per block: each unit's
// count of outcome 0 over S shots is binomial; the sum over units of squared standardised
// deviations is chi-square with one degree of freedom per unit, compared with its 1 - 1e-6 quantile.
describe("emitted circuits against core's probabilities (chi-square, false-alarm rate 1e-6)", () => {
  const heron = builtinTarget("heron");
  const rng = new RandomStream(2026, "init", 11);
  const cases: Array<[string, number]> = [["projective, g = pi/2", HALF_PI], ...[0.2, 0.7, 1.1, 1.4].map((g): [string, number] => [`weak, g = ${g}`, g])];
  for (const [label, g] of cases) {
    it(label, async () => {
      const layout = planLayer(heron, g, { maxUnitsPerBlock: 12 });
      const angles = Float64Array.from({ length: 12 }, () => (rng.uniform() * 2 - 1) * 2 * Math.PI);
      const [block] = layerCircuits(layout, angles);
      const shots = 1500;
      const [[bits]] = await new LocalProvider({ numQubits: heron.numQubits, seed: 9 }).run({
        pubs: [{ program: toQasm2(compileForTarget(block, heron)), clbits: block.numClbits, bindings: null }],
        shots,
      });
      let chi2 = 0;
      angles.forEach((alpha, i) => {
        const p = probPlus(alpha, g);
        const plus = bits.filter((shot) => shot[i] === 0).length;
        chi2 += (plus - shots * p) ** 2 / (shots * p * (1 - p));
      });
      expect(chi2).toBeLessThanOrEqual(chiSquareCritical(angles.length));
    });
  }
});
