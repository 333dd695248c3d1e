import { describe, expect, it } from "vitest";
import { HALF_PI, initWeights, SgdTrainer, type NetworkSpec, type ProgressEvent } from "@natural-quantization/core";
import { shotQubitConformance } from "@natural-quantization/core/conformance";
import { syntheticDataset } from "@natural-quantization/datasets";
import { CpuBackend } from "@natural-quantization/sim-cpu";
import { builtinTarget, estimateEvaluationCost, HardwareQubitLayer, LOCAL_CAPABILITIES, LocalProvider, type CostEstimate } from "../../src/index.js";

// Heron-like layout and native gates, run on the local simulator: the exact program a device would get.
const heron = builtinTarget("heron");

shotQubitConformance("hardware (local provider, Heron-like target)", () => {
  const dense = new CpuBackend();
  return { dense, qubits: new HardwareQubitLayer(dense, { provider: new LocalProvider({ numQubits: heron.numQubits, seed: 7 }), target: heron }) };
}, { samples: 200 });

describe("hardware qubit layer", () => {
  it("evaluates a network trained on a simulator to the simulator's test error, within statistical error", async () => {
    // Model 1 with the authors' htanh target (the weak measurement is covered by the tier above; it
    // costs the slow local simulator about 5x more per unit).
    const data = syntheticDataset({ trainSize: 400, testSize: 80, inputSize: 32, numClasses: 4, seed: 3 });
    const network: NetworkSpec = { inputSize: 32, outputSize: 4, width: 8, depth: 3, bias: false, neuron: { a: 0.6, g: HALF_PI, activation: "htanh" } };
    const sim = new CpuBackend();
    const trainer = new SgdTrainer(sim);
    const { weights } = await trainer.train({ network, training: { epochs: 4, batch: 32, lr: 0.05, momentum: 0.9, shots: 5, seed: 1 }, dataset: data, evaluateEachEpoch: false });
    const shots = 3;
    const onSim = await trainer.evaluate({ network, weights, split: data.test, shots, seed: 2 });
    const dense = new CpuBackend();
    const costs: CostEstimate[] = [];
    const layer = new HardwareQubitLayer(dense, {
      provider: new LocalProvider({ numQubits: heron.numQubits, seed: 5 }),
      target: heron,
      beforeJob: ({ cost }) => void costs.push(cost),
    });
    const onDevice = await new SgdTrainer({ dense, qubits: layer }).evaluate({ network, weights, split: data.test, shots, seed: 2 });
    // Every hidden layer of all shots of a batch is one job: 2 hidden layers, one batch here.
    expect(costs.map((c) => c.jobs)).toEqual([1, 1]);
    // The cost estimate follows the same rules as the run.
    const estimate = estimateEvaluationCost({ network, target: heron, capabilities: LOCAL_CAPABILITIES, images: data.test.n, shots });
    expect(estimate.total).toEqual({
      jobs: 2,
      pubs: costs.reduce((n, c) => n + c.pubs, 0),
      circuits: costs.reduce((n, c) => n + c.circuits, 0),
      shots: costs.reduce((n, c) => n + c.shots, 0),
    });
    expect(estimate.total.circuits).toBe(2 * Math.ceil((data.test.n * shots * network.width) / heron.numQubits));
    for (const k of ["oneShot", "kShot"] as const) {
      const a = onSim[k], b = onDevice[k];
      const se = Math.sqrt(a.error * (1 - a.error) / data.test.n + b.error * (1 - b.error) / data.test.n);
      console.log(`${k}: simulator ${a.error.toFixed(4)}, hardware(local) ${b.error.toFixed(4)}, 4.89 SE = ${(4.89 * se).toFixed(4)}`);
      expect(Math.abs(a.error - b.error)).toBeLessThanOrEqual(4.89 * se + 1e-12);
    }
  });

  it("samples with the run's seed: the same seed gives the same per-image votes, another seed others", async () => {
    const data = syntheticDataset({ trainSize: 10, testSize: 12, inputSize: 16, numClasses: 3, seed: 4 });
    const network: NetworkSpec = { inputSize: 16, outputSize: 3, width: 6, depth: 3, bias: false, neuron: { a: 0.8, g: HALF_PI, activation: "tanh" } };
    const { initWeights } = await import("@natural-quantization/core");
    const weights = initWeights(network, 3);
    // A fresh layer and provider per run: nothing carried over but the seed (the provider's own seed option differs on purpose).
    const votes = async (seed: number, providerSeed: number) => {
      const dense = new CpuBackend();
      const qubits = new HardwareQubitLayer(dense, { provider: new LocalProvider({ numQubits: heron.numQubits, seed: providerSeed }), target: builtinTarget("heron") });
      const p = await new SgdTrainer({ dense, qubits }).predict({ network, weights, images: data.test, shots: 5, seed });
      return Array.from(p.votes);
    };
    const first = await votes(11, 0);
    expect(await votes(11, 99)).toEqual(first);
    expect(await votes(12, 0)).not.toEqual(first);
  });
});

describe("hardware qubit layer progress", () => {
  it("reports every job's states with its hidden layer, its place among the layer's jobs and the provider's id", async () => {
    const data = syntheticDataset({ trainSize: 8, testSize: 6, inputSize: 8, numClasses: 2, seed: 4 });
    const network: NetworkSpec = { inputSize: 8, outputSize: 2, width: 4, depth: 3, bias: false, neuron: { a: 0.5, g: HALF_PI, activation: "tanh" } };
    const weights = initWeights(network, 1);
    const dense = new CpuBackend();
    const events: ProgressEvent[] = [];
    const layer = new HardwareQubitLayer(dense, { provider: new LocalProvider({ numQubits: heron.numQubits, seed: 1 }), target: heron, progress: { report: (e) => events.push(e) } });
    await new SgdTrainer({ dense, qubits: layer }, { report: (e) => events.push(e) }).evaluate({ network, weights, split: data.test, shots: 2, seed: 0 });
    const jobs = events.filter((e) => e.kind === "job").map((e) => `layer ${e.layer} job ${e.job}/${e.jobs} ${e.id} ${e.state}`);
    expect(jobs).toEqual([
      "layer 0 job 1/1 local-0 running", "layer 0 job 1/1 local-0 done",
      "layer 1 job 1/1 local-1 running", "layer 1 job 1/1 local-1 done",
    ]);
    // ... between the evaluation's start and its end.
    expect(events[0]).toMatchObject({ kind: "eval", passes: 0, total: 12 });
    expect(events.at(-1)).toMatchObject({ kind: "eval", passes: 12, total: 12 });
  });
});
