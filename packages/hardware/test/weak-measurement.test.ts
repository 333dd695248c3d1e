import { backAction, HALF_PI, probPlus } from "@natural-quantization/core";
import { describe, expect, it } from "vitest";
import { layerCircuits, planLayer } from "../src/index.js";
import { lineTarget } from "./support/line-target.js";
import { globalPhaseDistance, seededRandom, stateVector, type Complex } from "./support/simulator.js";

/**
 * The weak measurement of Model 2 in its two circuit forms, as the layer builder emits them for one
 * unit on a coupled pair (neuron = qubit 0, ancilla = qubit 1), run on quantum-circuit:
 *   cry form:    ancilla ry(pi/2 - g); cry(2g) neuron -> ancilla
 *   one-CZ form: ancilla ry(-g); cz neuron, ancilla; ancilla ry(pi/2)
 */
const target = lineTarget(2);

function unitState(alpha: number, g: number, weakForm: "cz" | "cry"): Complex[] {
  const layout = planLayer(target, g, { weakForm });
  expect(layout.neuronQubits).toEqual([0]);
  expect(layout.ancillaQubits).toEqual([1]);
  return stateVector(layerCircuits(layout, Float64Array.of(alpha))[0]);
}

describe("weak measurement: the one-CZ form equals the cry form", () => {
  const rand = seededRandom(7);
  const cases = Array.from({ length: 150 }, () => ({ alpha: (rand() * 2 - 1) * 2 * Math.PI, g: rand() * HALF_PI * 0.999 }));
  cases.push({ alpha: 0, g: 0 }, { alpha: Math.PI, g: 1e-6 }, { alpha: -Math.PI / 3, g: HALF_PI - 1e-9 });

  it("gives the same state vector (no phase freedom needed) for random alpha and g", () => {
    let worst = 0;
    for (const { alpha, g } of cases) {
      const a = unitState(alpha, g, "cry");
      const b = unitState(alpha, g, "cz");
      a.forEach((x, i) => (worst = Math.max(worst, Math.hypot(x.re - b[i].re, x.im - b[i].im))));
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it("reads ancilla 0 (m' = +1) with core's probability (1 + sin g cos alpha)/2 and leaves the neuron in core's back-action state", () => {
    for (const form of ["cz", "cry"] as const) {
      for (const { alpha, g } of cases) {
        const s = unitState(alpha, g, form);
        // index = neuron + 2 * ancilla
        const p0 = s[0].re ** 2 + s[0].im ** 2 + s[1].re ** 2 + s[1].im ** 2;
        expect(Math.abs(p0 - probPlus(alpha, g))).toBeLessThan(1e-12);
        for (const [outcome, m] of [[0, 1], [1, -1]] as const) {
          const pOutcome = outcome === 0 ? p0 : 1 - p0;
          if (pOutcome < 1e-9) continue;
          const neuron = [s[2 * outcome], s[2 * outcome + 1]];
          const beta = backAction(alpha, m, g);
          const expected: Complex[] = [
            { re: Math.cos(beta / 2), im: 0 },
            { re: Math.sin(beta / 2), im: 0 },
          ];
          const norm = Math.sqrt(pOutcome);
          const normalised = neuron.map((x) => ({ re: x.re / norm, im: x.im / norm }));
          expect(globalPhaseDistance(expected, normalised)).toBeLessThan(1e-9);
        }
      }
    }
  });
});
