import { describe, expect, it } from "vitest";
import {
  EVAL_PASS_BASE,
  HALF_PI,
  PAPER_NETWORK,
  SgdTrainer,
  initWeights,
  neuronLayerParams,
  type Backend,
  type Dataset,
  recordingQubitLayer,
  type Machine,
  type NetworkSpec,
  type NeuronParams,
} from "@natural-quantization/core";
import { referenceNeuronLayers } from "@natural-quantization/core/conformance";
import { loadMnistSubset } from "@natural-quantization/datasets";
import { WasmBackend } from "@natural-quantization/sim-wasm";
import { NativeBackend } from "../src/native-backend.js";

let mnist: Dataset | undefined;
function data(): Dataset {
  mnist ??= loadMnistSubset({ trainSize: 1000, testSize: 1000 });
  return mnist;
}

/** The backend as a machine whose qubit layer records every hidden layer's input z and outcomes, in call order. */
function recording(be: Backend): { machine: Machine; outcomes: Float32Array[]; inputs: Float32Array[] } {
  const outcomes: Float32Array[] = [];
  const inputs: Float32Array[] = [];
  const qubits = recordingQubitLayer(be, ({ z, d, n }) => {
    inputs.push(be.readSync(z, n));
    outcomes.push(be.readSync(d, n));
  });
  return { machine: { dense: be, qubits }, outcomes, inputs };
}

interface Recorded {
  /** outcomes[shot][layer]: +1/-1 per (row, neuron). */
  outcomes: Float32Array[][];
  inputs: Float32Array[][];
}

/** Hidden outcomes of every shot and layer of a k-shot evaluation through the real Trainer (seeded weights, biases 0.05 sin(i)). */
async function hiddenOutcomes(be: Backend, network: NetworkSpec, rows: number, shots: number, seed: number): Promise<Recorded> {
  const H = network.depth - 1;
  const weights = initWeights(network, seed).map((l) => ({ ...l, b: l.b ? l.b.map((_, i) => 0.05 * Math.sin(i)) : null }));
  const { machine, outcomes, inputs } = recording(be);
  const split = { n: rows, x: data().test.x.subarray(0, rows * network.inputSize), y: new Int32Array(rows) };
  await new SgdTrainer(machine).evaluate({ network, weights, split, shots, seed });
  expect(outcomes).toHaveLength(shots * H);
  const per = <T>(xs: T[]) => Array.from({ length: shots }, (_, s) => xs.slice(s * H, (s + 1) * H));
  return { outcomes: per(outcomes), inputs: per(inputs) };
}

/**
 * Outcomes that differ between the two backends, and how many of them a float32 rounding difference
 * explains: the first differing outcome of a (row, neuron) in a shot, at a layer whose input z
 * differs between the backends (summation order), with the same state before it. Differences
 * further down the chain follow from an earlier flip.
 */
function compare(a: Recorded, b: Recorded): { total: number; differ: number; firstFlips: number; unexplained: number } {
  let total = 0, differ = 0, firstFlips = 0, unexplained = 0;
  a.outcomes.forEach((shot, s) => {
    const rowsDiffer = new Set<number>();
    shot.forEach((layer, l) => {
      for (let i = 0; i < layer.length; i++) {
        total++;
        if (layer[i] === b.outcomes[s][l][i]) continue;
        differ++;
        const row = Math.floor(i / 512);
        if (rowsDiffer.has(row)) continue; // follows from an earlier flip of this row
        firstFlips++;
        if (a.inputs[s][l][i] === b.inputs[s][l][i]) unexplained++;
      }
      for (let i = 0; i < layer.length; i++) if (layer[i] !== b.outcomes[s][l][i]) rowsDiffer.add(Math.floor(i / 512));
    });
  });
  return { total, differ, firstFlips, unexplained };
}

describe("sim-native agrees with sim-wasm", () => {
  const cases: Array<[string, NeuronParams, boolean]> = [
    ["Model 1 a=0.5 tanh", { a: 0.5, g: HALF_PI, activation: "tanh" }, false],
    ["classical a=0", { a: 0, g: HALF_PI, activation: "tanh" }, false],
    ["Model 1 a=1 htanh, bias", { a: 1, g: HALF_PI, activation: "htanh" }, true],
    ["Model 2 a=0.5 g=0.9", { a: 0.5, g: 0.9, activation: "tanh" }, false],
  ];
  for (const [label, neuron, bias] of cases) {
    it(`same hidden outcomes of the paper network on MNIST from the same seed and weights, except rare float32 rounding flips (${label}, 5 shots)`, async () => {
      const network: NetworkSpec = { ...PAPER_NETWORK, bias, neuron };
      const rows = 200, shots = 5;
      const wasm = new WasmBackend(), native = new NativeBackend();
      try {
        const w = await hiddenOutcomes(wasm, network, rows, shots, 11);
        const n = await hiddenOutcomes(native, network, rows, shots, 11);
        const c = compare(n, w);
        console.log(
          `${label}: ${c.differ} of ${c.total} hidden outcomes differ from sim-wasm (${((100 * c.differ) / c.total).toFixed(4)}%); ` +
            `${c.firstFlips} first flips of a row (${((100 * c.firstFlips) / c.total).toFixed(4)}% of outcomes), all at inputs z that differ in float32 rounding: ${c.unexplained === 0}`,
        );
        // Every first flip comes from a pre-activation that differs in rounding (never from the draws or the physics).
        expect(c.unexplained).toBe(0);
        // First flips are rare; the outcomes below them in a row's chain may follow them.
        expect(c.firstFlips / c.total).toBeLessThan(1e-3);
        expect(c.differ / c.total).toBeLessThan(0.01);
      } finally {
        wasm.dispose();
        native.dispose();
      }
    });
  }

  it("the same z gives exactly sim-wasm's outcomes (draws and physics are identical; only the linear algebra rounds differently)", async () => {
    // Feed both backends the same pre-activations through one neuron layer chain.
    const rows = 300, cols = 512;
    for (const neuron of [{ a: 0.5, g: HALF_PI, activation: "tanh" }, { a: 0.3, g: 0.9, activation: "htanh" }, { a: 0, g: 0.4, activation: "tanh" }] as NeuronParams[]) {
      const outs: Float32Array[][] = [];
      for (const be of [new WasmBackend({ threads: 1 }), new NativeBackend({ threads: 2 })] as Backend[]) {
        try {
          const q = be.qubitRegister(rows, cols), z = be.tensor(rows, cols), d = be.tensor(rows, cols);
          be.resetQubits(q, rows);
          const layers: Float32Array[] = [];
          for (let l = 0; l < 3; l++) {
            be.write(z, Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.731 + l) * 1.5));
            be.neuronLayer(z, q, d, neuronLayerParams(neuron, l, 3), { seed: 77, pass: EVAL_PASS_BASE + 3, layer: l, rowOffset: 1000 }, rows);
            layers.push(be.readSync(d));
          }
          outs.push(layers);
        } finally {
          be.dispose();
        }
      }
      outs[0].forEach((layer, l) => expect(Array.from(outs[1][l])).toEqual(Array.from(layer)));
    }
  });

  it("the same z gives the float64 reference's outcomes at extreme quantumness (a = 1e-310, 1e-300, 1e6)", () => {
    const be = new NativeBackend({ threads: 1 });
    try {
      const rows = 30, cols = 21;
      const zArr = Float32Array.from({ length: rows * cols }, (_, i) => (i % 7 === 0 ? 0 : Math.sin(i * 3.1) * (i % 3 === 0 ? 1e-3 : 2)));
      for (const a of [1e-310, 1e-300, 1e6]) {
        const params = neuronLayerParams({ a, g: HALF_PI, activation: "tanh" }, 0, 1);
        const key = { seed: 3, pass: 4, layer: 0, rowOffset: 0 };
        const [ref] = referenceNeuronLayers([zArr], rows, cols, [params], [key]);
        const z = be.tensor(rows, cols), d = be.tensor(rows, cols), q = be.qubitRegister(rows, cols);
        be.write(z, zArr);
        be.resetQubits(q, rows);
        be.neuronLayer(z, q, d, params, key, rows);
        expect(Array.from(be.readSync(d))).toEqual(Array.from(ref));
      }
    } finally {
      be.dispose();
    }
  });

  it("15-shot evaluation with incremental layer updates gives the outcomes of full recomputation (but for rounding flips)", async () => {
    const network: NetworkSpec = { ...PAPER_NETWORK, neuron: { a: 0.1, g: HALF_PI, activation: "tanh" } };
    const inc = new NativeBackend(), full = new NativeBackend({ incremental: false });
    try {
      const a = await hiddenOutcomes(inc, network, 100, 15, 5);
      const b = await hiddenOutcomes(full, network, 100, 15, 5);
      const c = compare(a, b);
      const updated = inc.stats.updatedRows / inc.stats.signRows;
      console.log(`15 shots: ${(100 * updated).toFixed(1)}% of sign-input rows updated from flips; ${c.differ} of ${c.total} outcomes differ from full recomputation`);
      expect(updated).toBeGreaterThan(0.25);
      expect(full.stats.updatedRows).toBe(0);
      expect(c.unexplained).toBe(0);
      expect(c.differ / c.total).toBeLessThan(0.001);
    } finally {
      inc.dispose();
      full.dispose();
    }
  });

  for (const [label, neuron] of [
    ["Model 1 a=0.5", { a: 0.5, g: HALF_PI, activation: "tanh" }],
    ["Model 2 a=0.5 g=0.9", { a: 0.5, g: 0.9, activation: "tanh" }],
  ] as Array<[string, NeuronParams]>) {
    it(`trainings of the paper network reach test errors that agree with sim-wasm's within 3 combined binomial standard errors (${label})`, async () => {
      const network: NetworkSpec = { ...PAPER_NETWORK, neuron };
      const training = { epochs: 2, batch: 64, lr: 0.01, momentum: 0.9, shots: 5, seed: 3 };
      const errors: number[] = [];
      for (const be of [new WasmBackend(), new NativeBackend()] as Backend[]) {
        try {
          const trainer = new SgdTrainer(be);
          const r = await trainer.train({ network, training, dataset: data(), evaluateEachEpoch: false });
          errors.push((await trainer.evaluate({ network, weights: r.weights, split: data().test, shots: 5, seed: 3 })).kShot.error);
        } finally {
          be.dispose();
        }
      }
      const n = data().test.n;
      const se = Math.sqrt((errors[0] * (1 - errors[0])) / n + (errors[1] * (1 - errors[1])) / n);
      console.log(`${label}, 1,000 images x 2 epochs, 5-shot test error: sim-wasm ${errors[0].toFixed(4)}, sim-native ${errors[1].toFixed(4)} (3 SE = ${(3 * se).toFixed(4)})`);
      expect(errors[1]).toBeLessThan(0.5); // it learned
      expect(Math.abs(errors[0] - errors[1])).toBeLessThanOrEqual(3 * se);
    });
  }
});
