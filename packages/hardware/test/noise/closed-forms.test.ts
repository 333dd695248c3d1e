import { HALF_PI, neuronLayerParams, target, type NeuronParams } from "@natural-quantization/core";
import { CpuBackend } from "@natural-quantization/sim-cpu";
import { describe, expect, it } from "vitest";
import { noisyProbPlus } from "../../src/noise/bloch.js";
import { noiseModel, type NoiseModel } from "../../src/noise/model.js";
import { NoisyQubitLayer } from "../../src/noise/noisy-qubit-layer.js";
import { amplitudeDamp, depolarize, measureReported, pure, ry, thermalRelax, type Rho } from "./density-reference.js";

/** Two-sided standard-normal quantile for a false-alarm rate of 1e-6 per check. */
const Z = 4.89;
const withinBinomial = (count: number, n: number, p: number) => Math.abs(count / n - p) <= Z * Math.sqrt((p * (1 - p)) / n) + 1e-12;

const thetas = [0, 0.3, 1.1, HALF_PI, 2.2, 2.9, Math.PI];
const sin2 = (t: number) => Math.sin(t / 2) ** 2;

describe("exact probabilities against the closed forms (g = pi/2, neuron read directly)", () => {
  // P(1) is P(read 1) = P(reported m' = -1) = 1 - P(reported +1).
  const p1 = (model: NoiseModel, theta: number, g = HALF_PI) => 1 - noisyProbPlus(model, theta, g);

  it("depolarizing: P(1) = (1 - lambda) p + lambda/2", () => {
    for (const lambda of [0, 0.05, 0.4, 1, 4 / 3]) for (const t of thetas) {
      expect(p1(noiseModel({ depolarizing: lambda }), t)).toBeCloseTo((1 - lambda) * sin2(t) + lambda / 2, 14);
    }
  });

  it("amplitude damping: P(1) = (1 - gamma) p", () => {
    for (const gamma of [0, 0.02, 0.5, 1]) for (const t of thetas) {
      expect(p1(noiseModel({ amplitudeDamping: gamma }), t)).toBeCloseTo((1 - gamma) * sin2(t), 14);
    }
  });

  it("thermal relaxation: P(1) = exp(-t/T1) p (T2 acts on coherences only)", () => {
    for (const [t1, t2, time] of [[100e-6, 80e-6, 5e-6], [50e-6, 100e-6, 60e-6], [20e-6, 1e-6, 0]]) for (const t of thetas) {
      expect(p1(noiseModel({ thermalRelaxation: { t1, t2, time } }), t)).toBeCloseTo(Math.exp(-time / t1) * sin2(t), 14);
    }
  });

  it("readout error: P(read 1) = p01 (1 - p) + (1 - p10) p", () => {
    for (const [p01, p10] of [[0.01, 0.03], [0.2, 0], [0, 0.5]]) for (const t of thetas) {
      const p = sin2(t);
      expect(p1(noiseModel({ readout: { p01, p10 } }), t)).toBeCloseTo(p01 * (1 - p) + (1 - p10) * p, 14);
    }
  });

  it("Model 2: the ancilla's depolarizing flips its bit with probability lambda_a/2, then readout error", () => {
    const [la, p01, p10, g] = [0.1, 0.02, 0.05, 0.7];
    for (const t of thetas) {
      const trueOne = (1 - Math.sin(g) * Math.cos(t)) / 2;
      const q = la / 2;
      const flipped = q * (1 - trueOne) + (1 - q) * trueOne;
      const model = noiseModel({ ancillaDepolarizing: la, readout: { p01, p10 } });
      expect(p1(model, t, g)).toBeCloseTo(p01 * (1 - flipped) + (1 - p10) * flipped, 14);
      // g = pi/2 has no ancilla: lambda_a does nothing there.
      expect(p1(model, t)).toBeCloseTo(p01 * (1 - sin2(t)) + (1 - p10) * sin2(t), 14);
    }
  });

  it("all channels together equal the density-matrix reference (depolarizing, damping, relaxation, in that order)", () => {
    const model = noiseModel({ depolarizing: 0.07, amplitudeDamping: 0.04, thermalRelaxation: { t1: 90e-6, t2: 60e-6, time: 8e-6 }, readout: { p01: 0.015, p10: 0.04 } });
    for (const g of [HALF_PI, 0.9, 0.3]) for (const t of thetas) {
      const rho = thermalRelax(amplitudeDamp(depolarize(pure(t), 0.07), 0.04), 90e-6, 60e-6, 8e-6);
      expect(noisyProbPlus(model, t, g)).toBeCloseTo(measureReported(rho, 1, g, 0.015, 0.04).p, 14);
    }
  });
});

/** One layer over many identical rows: outcome frequencies per column against P(reported +1). */
function sampledFrequencies(model: NoiseModel, params: NeuronParams, zValues: readonly number[], rows: number) {
  const dense = new CpuBackend();
  const layer = new NoisyQubitLayer(dense, model);
  const cols = zValues.length;
  const zArr = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) zArr.set(zValues, r * cols);
  const z = dense.tensor(rows, cols), d = dense.tensor(rows, cols), q = layer.qubitRegister(rows, cols);
  dense.write(z, zArr);
  layer.resetQubits(q, rows);
  layer.neuronLayer(z, q, d, neuronLayerParams(params, 0, 2), { seed: 2024, pass: 3, layer: 0, rowOffset: 0 }, rows);
  const out = dense.readSync(d);
  return zValues.map((zv, j) => {
    let plus = 0;
    for (let r = 0; r < rows; r++) if (out[r * cols + j] === 1) plus++;
    return { theta: HALF_PI * (1 - target(zv, params.a, params.activation)), plus };
  });
}

describe("sampled outcome frequencies of the noisy layer (binomial bound, false alarm 1e-6 per cell)", () => {
  const rows = 20000;
  const zValues = [-2, -0.6, -0.1, 0.2, 0.7, 2.5];
  const m1: NeuronParams = { a: 0.8, g: HALF_PI, activation: "tanh" };
  const cases: Array<[string, NoiseModel, (p: number) => number]> = [
    ["depolarizing lambda = 0.3", noiseModel({ depolarizing: 0.3 }), (p) => 0.7 * p + 0.15],
    ["amplitude damping gamma = 0.35", noiseModel({ amplitudeDamping: 0.35 }), (p) => 0.65 * p],
    ["thermal relaxation T1 = 40us, t = 20us", noiseModel({ thermalRelaxation: { t1: 40e-6, t2: 30e-6, time: 20e-6 } }), (p) => Math.exp(-0.5) * p],
    ["readout p01 = 0.1, p10 = 0.25", noiseModel({ readout: { p01: 0.1, p10: 0.25 } }), (p) => 0.1 * (1 - p) + 0.75 * p],
  ];
  for (const [label, model, closedP1] of cases) {
    it(`${label}: P(1) of the closed form`, () => {
      for (const { theta, plus } of sampledFrequencies(model, m1, zValues, rows)) {
        expect(withinBinomial(rows - plus, rows, closedP1(sin2(theta)))).toBe(true);
      }
    });
  }
});

describe("post-measurement state and the Model 2 carried mixed state", () => {
  const model = noiseModel({ depolarizing: 0.25, amplitudeDamping: 0.15, thermalRelaxation: { t1: 60e-6, t2: 45e-6, time: 10e-6 }, readout: { p01: 0.04, p10: 0.09 }, ancillaDepolarizing: 0.06 });
  const params: NeuronParams = { a: 0.5, g: 1.0, activation: "tanh" };
  /** P(reported | true) with the ancilla's flip (lambda_a/2) then the readout error, by enumeration. */
  const conf = () => {
    const q = model.ancillaDepolarizing / 2, { p01, p10 } = model.readout;
    const readOne = (bit: 0 | 1) => (bit === 0 ? p01 : 1 - p10);
    return { p01: (1 - q) * readOne(0) + q * readOne(1), p10: (1 - q) * (1 - readOne(1)) + q * (1 - readOne(0)) };
  };
  const channels = (r: Rho) => thermalRelax(amplitudeDamp(depolarize(r, 0.25), 0.15), 60e-6, 45e-6, 10e-6);
  const step = (r: Rho, m: 1 | -1, zv: number, reported: 1 | -1) => {
    const { p01, p10 } = conf();
    return measureReported(channels(ry(r, HALF_PI * (m - target(zv, params.a, params.activation)))), reported, params.g, p01, p10);
  };

  it("the state after one layer is the density-matrix state conditioned on the reported outcome", () => {
    const dense = new CpuBackend();
    const layer = new NoisyQubitLayer(dense, model);
    const zValues = [-1, -0.2, 0.3, 1.4];
    const rows = 8, cols = zValues.length;
    const z = dense.tensor(rows, cols), d = dense.tensor(rows, cols), q = layer.qubitRegister(rows, cols);
    dense.write(z, Float32Array.from({ length: rows * cols }, (_, i) => zValues[i % cols]));
    layer.resetQubits(q, rows);
    layer.neuronLayer(z, q, d, neuronLayerParams(params, 0, 3), { seed: 1, pass: 1, layer: 0, rowOffset: 0 }, rows);
    const seen = new Set<number>();
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) {
      const s = layer.state(q, r, j);
      seen.add(s.m);
      const ref = step(pure(0), 1, Math.fround(zValues[j]), s.m).rho;
      expect(s.z).toBeCloseTo(ref.a - ref.b, 12);
      expect(s.x).toBeCloseTo(2 * ref.c, 12);
    }
    expect(seen).toEqual(new Set([1, -1]));
  });

  it("two Model 2 layers: the second outcome's frequency is the exact marginal over the carried mixed state", () => {
    const z1 = -0.8, z2Values = [-0.9, -0.3, 0.2, 0.8];
    const exact = z2Values.map((z2) => {
      let p = 0;
      for (const m1 of [1, -1] as const) {
        const first = step(pure(0), 1, Math.fround(z1), m1);
        p += first.p * step(first.rho, m1, Math.fround(z2), 1).p;
      }
      return p;
    });
    // What a layer that dropped the noise from the carried state would give (pure noise-free back-action):
    // the test must be able to tell the two apart.
    const carriedPure = z2Values.map((z2) => {
      let p = 0;
      for (const m1 of [1, -1] as const) {
        const first = step(pure(0), 1, Math.fround(z1), m1);
        const clean = measureReported(ry(pure(0), HALF_PI * (1 - target(Math.fround(z1), params.a, params.activation))), m1, params.g, 0, 0).rho;
        p += first.p * step(clean, m1, Math.fround(z2), 1).p;
      }
      return p;
    });
    const rows = 40000;
    const tolerance = exact.map((p) => Z * Math.sqrt((p * (1 - p)) / rows));
    expect(Math.max(...exact.map((p, j) => Math.abs(p - carriedPure[j]) / tolerance[j]))).toBeGreaterThan(2);

    const dense = new CpuBackend();
    const layer = new NoisyQubitLayer(dense, model);
    const cols = z2Values.length;
    const z = dense.tensor(rows, cols), d = dense.tensor(rows, cols), q = layer.qubitRegister(rows, cols);
    layer.resetQubits(q, rows);
    dense.write(z, new Float32Array(rows * cols).fill(z1));
    layer.neuronLayer(z, q, d, neuronLayerParams(params, 0, 3), { seed: 8, pass: 2, layer: 0, rowOffset: 0 }, rows);
    dense.write(z, Float32Array.from({ length: rows * cols }, (_, i) => z2Values[i % cols]));
    layer.neuronLayer(z, q, d, neuronLayerParams(params, 1, 3), { seed: 8, pass: 2, layer: 1, rowOffset: 0 }, rows);
    const out = dense.readSync(d);
    exact.forEach((p, j) => {
      let plus = 0;
      for (let r = 0; r < rows; r++) if (out[r * cols + j] === 1) plus++;
      expect(withinBinomial(plus, rows, p)).toBe(true);
    });
  });
});
