import { SgdTrainer, type NetworkSpec, type TrainSpec } from "@natural-quantization/core";
import { syntheticDataset } from "@natural-quantization/datasets";
import { CpuBackend } from "@natural-quantization/sim-cpu";
import { describe, expect, it } from "vitest";
import { noiseModel } from "../../src/noise/model.js";
import { NoisyQubitLayer } from "../../src/noise/noisy-qubit-layer.js";

const data = syntheticDataset({ trainSize: 400, testSize: 200, inputSize: 32, numClasses: 4, seed: 1 });
const training: TrainSpec = { epochs: 3, batch: 32, lr: 0.05, momentum: 0.9, shots: 7, seed: 11 };

describe("training under noise through SgdTrainer", () => {
  it("a Model 2 network (g = 0.9) with every channel on still learns the synthetic set (chance is 0.75)", async () => {
    const network: NetworkSpec = { inputSize: 32, outputSize: 4, width: 24, depth: 3, bias: false, neuron: { a: 0.5, g: 0.9, activation: "tanh" } };
    const model = noiseModel({ depolarizing: 0.05, amplitudeDamping: 0.03, thermalRelaxation: { t1: 100e-6, t2: 80e-6, time: 2e-6 }, readout: { p01: 0.02, p10: 0.04 }, ancillaDepolarizing: 0.02 });
    const dense = new CpuBackend();
    const trainer = new SgdTrainer({ dense, qubits: new NoisyQubitLayer(dense, model) });
    const result = await trainer.train({ network, training, dataset: data, evaluateEachEpoch: false });
    const ev = await trainer.evaluate({ network, weights: result.weights, split: data.test, shots: 7, seed: 11 });
    console.log(`noisy training: loss ${result.history.map((h) => h.loss.toFixed(3)).join(" -> ")}, test error one-shot ${ev.oneShot.error} 7-shot ${ev.kShot.error}`);
    expect(result.history[2].loss).toBeLessThan(result.history[0].loss);
    expect(ev.kShot.error).toBeLessThan(0.2);
  });

  it("the noise is in the loop: full depolarizing (lambda = 1, fair coins) leaves the network at chance", async () => {
    const network: NetworkSpec = { inputSize: 32, outputSize: 4, width: 24, depth: 3, bias: false, neuron: { a: 0.5, g: 0.9, activation: "tanh" } };
    const dense = new CpuBackend();
    const trainer = new SgdTrainer({ dense, qubits: new NoisyQubitLayer(dense, noiseModel({ depolarizing: 1 })) });
    const result = await trainer.train({ network, training, dataset: data, evaluateEachEpoch: false });
    const ev = await trainer.evaluate({ network, weights: result.weights, split: data.test, shots: 7, seed: 11 });
    expect(ev.oneShot.error).toBeGreaterThan(0.5);
  });
});
