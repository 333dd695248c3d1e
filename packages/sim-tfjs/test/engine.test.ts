import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { HALF_PI, SgdTrainer, type DenseEngine, type Machine, type NetworkSpec, type TrainSpec } from "@natural-quantization/core";
import { denseConformance, exactQubitConformance } from "@natural-quantization/core/conformance";
import { loadMnistSubset } from "@natural-quantization/datasets";
import { CpuBackend, CpuQubitLayer } from "@natural-quantization/sim-cpu";
import { createTfjsEngine, TfjsEngine } from "../src/index.js";

await createTfjsEngine("cpu"); // selects tf's cpu backend for the engines made below

/** An engine without the synchronous read: only the asynchronous path, as on WebGL or WebGPU. */
function asyncOnly(): TfjsEngine {
  const engine = new TfjsEngine();
  Object.defineProperty(engine, "readSync", { value: undefined });
  return engine;
}

denseConformance("sim-tfjs", () => new TfjsEngine());
denseConformance("sim-tfjs, asynchronous reads only", asyncOnly);
exactQubitConformance("sim-cpu's qubit layer on sim-tfjs", () => {
  const dense = new TfjsEngine();
  return { dense, qubits: new CpuQubitLayer(dense) };
});
exactQubitConformance("sim-cpu's qubit layer on sim-tfjs, asynchronous reads only", () => {
  const dense = asyncOnly();
  return { dense, qubits: new CpuQubitLayer(dense) };
});

describe("sim-tfjs with a borrowed qubit layer", () => {
  const data = loadMnistSubset({ trainSize: 300, testSize: 100 });
  const training: TrainSpec = { epochs: 2, batch: 32, lr: 0.05, momentum: 0.9, shots: 5, seed: 7 };

  async function run(machine: Machine, neuron: NetworkSpec["neuron"]) {
    const network: NetworkSpec = { inputSize: 784, outputSize: 10, width: 32, depth: 3, bias: true, neuron };
    try {
      const trainer = new SgdTrainer(machine);
      const r = await trainer.train({ network, training, dataset: data });
      const p = await trainer.predict({ network, weights: r.weights, images: data.test, shots: 5, seed: 11 });
      return { r, p };
    } finally {
      machine.dense.dispose();
    }
  }

  const borrowed = (dense: DenseEngine): Machine => ({ dense, qubits: new CpuQubitLayer(dense) });

  for (const [label, neuron] of [
    ["Model 1 a=0", { a: 0, g: HALF_PI, activation: "tanh" }],
    ["Model 1 a=0.5", { a: 0.5, g: HALF_PI, activation: "tanh" }],
    ["Model 2 a=0.3 g=0.9", { a: 0.3, g: 0.9, activation: "tanh" }],
  ] as const) {
    it(`trains and evaluates to sim-cpu's results within float32 rounding (${label})`, async () => {
      const cpu = await run(new CpuBackend(), neuron);
      const tfjs = await run(borrowed(new TfjsEngine()), neuron);
      // Losses and weights: float32 sums against sim-cpu's float64 ones.
      cpu.r.history.forEach((h, e) => expect(Math.abs(tfjs.r.history[e].loss - h.loss)).toBeLessThanOrEqual(1e-4 * Math.max(1, h.loss)));
      let worst = 0;
      cpu.r.weights.forEach((l, i) => l.w.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - tfjs.r.weights[i].w[k])))));
      expect(worst).toBeLessThanOrEqual(1e-4);
      // Same outcomes, so the same votes (a neuron whose draw lands within float32 rounding of its
      // probability could differ; none does here).
      expect(Array.from(tfjs.p.votes)).toEqual(Array.from(cpu.p.votes));
    });
  }

  it("gives the same results whether it reads synchronously or not (the Trainer's asynchronous path)", async () => {
    const neuron = { a: 0.5, g: 0.9, activation: "tanh" } as const;
    const sync = await run(borrowed(new TfjsEngine()), neuron);
    const async = await run(borrowed(asyncOnly()), neuron);
    expect(async.r.history.map((h) => h.loss)).toEqual(sync.r.history.map((h) => h.loss));
    expect(Array.from(async.p.votes)).toEqual(Array.from(sync.p.votes));
  });

  it("frees its tensors: a training run leaves tf's tensor count where it was", async () => {
    const before = tf.memory().numTensors;
    await run(borrowed(new TfjsEngine()), { a: 0.5, g: HALF_PI, activation: "tanh" });
    expect(tf.memory().numTensors).toBe(before);
  });
});
