import { ConfigError, DataError } from "@natural-quantization/core";
import { describe, expect, it } from "vitest";
import type { Target } from "../../src/target.js";
import { depolarizingPart, noiseFromTarget } from "../../src/noise/from-target.js";
import { isNoiseless, NOISELESS, noiseModel, parseNoiseModel, validateNoiseModel } from "../../src/noise/model.js";

describe("noise files", () => {
  it("reads a full noise file and fills absent fields with no noise", () => {
    const text = JSON.stringify({ depolarizing: 0.01, thermalRelaxation: { t1: 1e-4, t2: 8e-5, time: 1e-6 }, readout: { p01: 0.02 } });
    expect(parseNoiseModel(text, "noise.json")).toEqual({
      depolarizing: 0.01, amplitudeDamping: 0, thermalRelaxation: { t1: 1e-4, t2: 8e-5, time: 1e-6 }, readout: { p01: 0.02, p10: 0 }, ancillaDepolarizing: 0,
    });
    expect(parseNoiseModel("{}", "noise.json")).toEqual(NOISELESS);
    expect(isNoiseless(NOISELESS)).toBe(true);
    expect(isNoiseless(noiseModel({ readout: { p10: 1e-9 } }))).toBe(false);
  });

  const bad: Array<[unknown, RegExp]> = [
    [{ depolarizing: 1.5 }, /^invalid noise\.depolarizing: 1\.5 \(allowed: 0 <= lambda <= 4\/3\)$/],
    [{ depolarizing: -0.1 }, /^invalid noise\.depolarizing: -0\.1 /],
    [{ amplitudeDamping: "0.1" }, /^invalid noise\.amplitudeDamping: "0\.1" \(allowed: 0 <= gamma <= 1\)$/],
    [{ readout: { p01: 2 } }, /^invalid noise\.readout\.p01: 2 \(allowed: a probability 0\.\.1\)$/],
    [{ readout: { p10: Number.NaN } }, /^invalid noise\.readout\.p10: NaN/],
    [{ readout: { p11: 0.1 } }, /^invalid noise\.readout\.p11: "p11" \(allowed: one of the fields p01, p10\)$/],
    [{ thermalRelaxation: { t1: 1e-4, t2: 3e-4, time: 1e-6 } }, /^invalid noise\.thermalRelaxation\.t2: 0\.0003 \(allowed: 0 < T2 <= 2 T1 = 0\.0002 seconds\)$/],
    [{ thermalRelaxation: { t1: 0, t2: 1e-4, time: 1e-6 } }, /^invalid noise\.thermalRelaxation\.t1: 0 \(allowed: seconds > 0\)$/],
    [{ thermalRelaxation: { t1: 1e-4, t2: 1e-4 } }, /^invalid noise\.thermalRelaxation\.time: undefined \(allowed: seconds >= 0\)$/],
    [{ depolarising: 0.1 }, /^invalid noise\.depolarising: "depolarising" \(allowed: one of the fields depolarizing, amplitudeDamping, thermalRelaxation, readout, ancillaDepolarizing\)$/],
    [[0.1], /^invalid noise: "\[0\.1\]" \(allowed: a JSON object\)$/],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input)} with a one-line error naming the field`, () => {
      expect(() => validateNoiseModel(input)).toThrow(ConfigError);
      expect(() => validateNoiseModel(input)).toThrow(message);
    });
  }

  it("says when the file is not JSON", () => {
    expect(() => parseNoiseModel("{ depolarizing: 0.1 }", "my-noise.json")).toThrow(DataError);
    expect(() => parseNoiseModel("{", "my-noise.json")).toThrow(/^my-noise\.json is not JSON: /);
  });
});

/** Average gate fidelity of a qubit channel that maps the Bloch vector n to (cx nx, cx ny, cz nz + dz), over the six Pauli eigenstates (a 2-design, so exact). */
function averageFidelity(cx: number, cz: number, dz: number): number {
  const states = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]];
  return states.reduce((s, [x, y, z]) => s + (1 + x * cx * x + y * cx * y + z * (cz * z + dz)) / 2, 0) / states.length;
}

function target(over: Partial<Target> = {}): Target {
  const q = (t1: number | null, t2: number | null, p01: number, p10: number, ro: number | null) => ({ t1, t2, readoutP01: p01, readoutP10: p10, readoutDuration: ro });
  return {
    name: "test-5q",
    numQubits: 5,
    basisGates: ["rz", "sx", "x", "cz"],
    couplingMap: [[0, 1], [1, 2], [2, 3], [3, 4]],
    qubits: [q(100e-6, 80e-6, 0.01, 0.02, 1e-6), q(200e-6, 500e-6, 0.03, 0.05, 2e-6), q(50e-6, 40e-6, 0.02, 0.01, 1.5e-6), q(null, null, 0.5, 0.5, null), q(300e-6, 100e-6, 0.005, 0.04, 1e-6)],
    instructions: [
      ...[2e-4, 3e-4, 1e-3, 0.2, 2.5e-4].map((error, i) => ({ gate: "sx", qubits: [i], error, duration: 40e-9 })),
      ...[[0, 1, 5e-3], [1, 2, 8e-3], [2, 3, 0.3], [3, 4, 7e-3]].map(([a, b, error]) => ({ gate: "cz", qubits: [a, b], error, duration: 80e-9 })),
    ],
    ...over,
  };
}

describe("noiseFromTarget", () => {
  it("splits an sx error like Qiskit Aer: depolarizing then relaxation reproduces the reported average infidelity", () => {
    for (const [lambda, t1, t2, time] of [[1e-3, 100e-6, 80e-6, 40e-9], [4e-4, 30e-6, 50e-6, 60e-9], [0.02, 200e-6, 10e-6, 35e-9]]) {
      const cx = (1 - lambda) * Math.exp(-time / t2), e1 = Math.exp(-time / t1);
      const error = 1 - averageFidelity(cx, e1 * (1 - lambda), 1 - e1);
      expect(depolarizingPart(error, time, t1, t2)).toBeCloseTo(lambda, 12);
    }
    // Without relaxation data, depolarizing alone carries the error: its average infidelity is lambda/2.
    expect(depolarizingPart(1 - averageFidelity(1 - 0.01, 1 - 0.01, 0), null, null, null)).toBeCloseTo(0.01, 14);
    // An error below what relaxation explains leaves no depolarizing part.
    expect(depolarizingPart(1e-9, 40e-9, 50e-6, 40e-6)).toBe(0);
  });

  it("takes medians over the chosen qubits and documents each rate", () => {
    const t = target();
    const chosen = [0, 1, 2];
    const m = noiseFromTarget(t, { qubits: chosen });
    const lambdas = chosen.map((q) => depolarizingPart(t.instructions[q].error, 40e-9, t.qubits[q].t1, Math.min(t.qubits[q].t2!, 2 * t.qubits[q].t1!)));
    const sorted = [...lambdas].sort((a, b) => a - b);
    expect(m.depolarizing).toBeCloseTo(1 - (1 - sorted[1]) ** 2, 14);
    // T1 median 100us; T2 median 80us; time = 2 sx + readout median (1.5us).
    expect(m.thermalRelaxation).toEqual({ t1: 100e-6, t2: 80e-6, time: 2 * 40e-9 + 1.5e-6 });
    expect(m.readout).toEqual({ p01: 0.02, p10: 0.02 });
    // The cz pairs inside {0, 1, 2}: errors 5e-3 and 8e-3, median 6.5e-3.
    expect(m.ancillaDepolarizing).toBeCloseTo(1 - (1 - (4 * 6.5e-3) / 3) * (1 - sorted[1]) ** 4, 14);
    expect(m.amplitudeDamping).toBe(0);
    // Without readout relaxation only the two sx pulses count.
    expect(noiseFromTarget(t, { qubits: chosen, relaxDuringReadout: false }).thermalRelaxation!.time).toBeCloseTo(80e-9, 20);
  });

  it("caps T2 at 2 T1, skips unknown values, and rejects qubits outside the target", () => {
    const m = noiseFromTarget(target(), { qubits: [1, 3] });
    // Qubit 3 has no T1/T2: the medians are qubit 1's, and its T2 = 500us is capped at 2 T1 = 400us.
    expect(m.thermalRelaxation).toEqual({ t1: 200e-6, t2: 400e-6, time: 2 * 40e-9 + 2e-6 });
    const noData = noiseFromTarget({ ...target(), qubits: target().qubits.map((q) => ({ ...q, t1: null, t2: null })), instructions: [] });
    expect(noData.thermalRelaxation).toBeNull();
    expect(noData.depolarizing).toBe(0);
    expect(noData.ancillaDepolarizing).toBe(0);
    expect(() => noiseFromTarget(target(), { qubits: [0, 5] })).toThrow(/^invalid qubits: 5 \(allowed: physical qubits 0\.\.4 of target test-5q\)$/);
  });
});

describe("the README's example noise file", () => {
  it("is a valid noise file", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const block = readme.slice(readme.indexOf("## Noise")).match(/```json\n([\s\S]*?)```/);
    expect(block).not.toBeNull();
    expect(parseNoiseModel(block![1], "README.md").thermalRelaxation).toEqual({ t1: 1e-4, t2: 8e-5, time: 1e-6 });
  });
});
