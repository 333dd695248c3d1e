import { HALF_PI } from "@natural-quantization/core";
import { describe, expect, it } from "vitest";
import { compileForTarget, insertIdentityPairs, layerCircuits, planLayer, type Circuit } from "../src/index.js";
import { lineTarget } from "./support/line-target.js";
import { perOutcomeDistance, seededRandom, stateVector } from "./support/simulator.js";

const count = (c: Circuit, op: string): number => c.ops.filter((o) => o.op === op).length;
const measuredQubits = (c: Circuit): number[] => c.ops.flatMap((op) => (op.op === "measure" ? [op.qubit] : []));

describe("identity pairs (noise amplification)", () => {
  const target = lineTarget(6);
  const rand = seededRandom(9);
  const cases = [
    { g: HALF_PI, units: 4 }, // qubits 0..3 used and measured: 3 coupled pairs
    { g: 0.8, units: 2 }, // pairs (0,1), (2,3): 4 used qubits, 2 measured, 3 coupled pairs
  ];
  for (const { g, units } of cases) {
    for (const k of [1, 3]) {
      it(`g = ${g.toFixed(2)}, ${units} units, k = ${k}: expected gate counts, barriers around, same outcome probabilities`, () => {
        const layout = planLayer(target, g, { maxUnitsPerBlock: units });
        const angles = Float64Array.from({ length: units }, () => (rand() * 2 - 1) * Math.PI);
        const [circuit] = layerCircuits(layout, angles);
        const noisy = insertIdentityPairs(circuit, target, { k });
        const measured = measuredQubits(circuit);
        const pairs = 3;
        expect(count(noisy, "sx")).toBe(k * measured.length);
        expect(count(noisy, "sxdg")).toBe(k * measured.length);
        expect(count(noisy, "cz")).toBe(count(circuit, "cz") + 2 * k * pairs);
        expect(count(noisy, "barrier")).toBe(4 * k + 1);
        // Everything inserted sits between the last gate and the first measurement.
        const firstMeasure = noisy.ops.findIndex((op) => op.op === "measure");
        expect(noisy.ops.slice(firstMeasure).every((op) => op.op === "measure")).toBe(true);
        expect(noisy.ops[firstMeasure - 1].op).toBe("barrier");
        // Logically unchanged: same state per measurement outcome (here even the same state).
        expect(perOutcomeDistance(stateVector(circuit), stateVector(noisy), measured)).toBeLessThan(1e-12);
        // And after compilation to native gates, barriers kept, still the same outcome probabilities.
        const compiled = compileForTarget(noisy, target);
        expect(count(compiled, "barrier")).toBe(4 * k + 1);
        expect(count(compiled, "sx")).toBeGreaterThanOrEqual(2 * k * measured.length);
        expect(perOutcomeDistance(stateVector(circuit), stateVector(compiled), measured)).toBeLessThan(1e-9);
      });
    }
  }

  it("k = 0 leaves the circuit as it is; one kind of pair can be switched off", () => {
    const layout = planLayer(target, HALF_PI, { maxUnitsPerBlock: 3 });
    const [circuit] = layerCircuits(layout, Float64Array.of(0.1, 0.2, 0.3));
    expect(insertIdentityPairs(circuit, target, { k: 0 })).toBe(circuit);
    const single = insertIdentityPairs(circuit, target, { k: 2, twoQubit: false });
    expect([count(single, "sx"), count(single, "sxdg"), count(single, "cz")]).toEqual([6, 6, 0]);
    const two = insertIdentityPairs(circuit, target, { k: 2, singleQubit: false });
    expect([count(two, "sx"), count(two, "cz")]).toEqual([0, 8]);
    expect(() => insertIdentityPairs(circuit, target, { k: -1 })).toThrow(/invalid identity pairs k: -1 \(allowed: an integer >= 0\)/);
  });
});
