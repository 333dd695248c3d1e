import { exactQubitConformance, referenceNeuronLayers } from "@natural-quantization/core/conformance";
import { neuronLayerParams, RandomStream, type NeuronParams } from "@natural-quantization/core";
import { CpuBackend } from "@natural-quantization/sim-cpu";
import { describe, expect, it } from "vitest";
import { NOISELESS } from "../../src/noise/model.js";
import { NoisyQubitLayer } from "../../src/noise/noisy-qubit-layer.js";

// With every rate 0 the noisy layer is the reference neuron: identical outcomes from the same draws.
exactQubitConformance("noisy layer, zero noise, over sim-cpu", () => {
  const dense = new CpuBackend();
  return { dense, qubits: new NoisyQubitLayer(dense, NOISELESS) };
}, { outcomeAgreement: 1 });

describe("noisy layer with zero noise against CpuBackend", () => {
  it("gives CpuBackend's outcomes on a 3-layer Model 2 chain (g = 0.5, a = 0.3, state carried)", () => {
    const rows = 64, cols = 33;
    const params: NeuronParams = { a: 0.3, g: 0.5, activation: "tanh" };
    const rng = new RandomStream(5, "init", 31);
    const zs = [0, 1, 2].map(() => Float32Array.from({ length: rows * cols }, () => 1.2 * rng.normal()));
    const cpu = new CpuBackend();
    const dense = new CpuBackend();
    const noisy = new NoisyQubitLayer(dense, NOISELESS);
    const qc = cpu.qubitRegister(rows, cols), qn = noisy.qubitRegister(rows, cols);
    cpu.resetQubits(qc, rows);
    noisy.resetQubits(qn, rows);
    let differing = 0;
    const outcomes: Float32Array[] = [];
    for (let l = 0; l < 3; l++) {
      const p = neuronLayerParams(params, l, 3);
      const key = { seed: 99, pass: 4, layer: l, rowOffset: 128 };
      const zc = cpu.tensor(rows, cols), dc = cpu.tensor(rows, cols);
      const zn = dense.tensor(rows, cols), dn = dense.tensor(rows, cols);
      cpu.write(zc, zs[l]);
      dense.write(zn, zs[l]);
      cpu.neuronLayer(zc, qc, dc, p, key, rows);
      noisy.neuronLayer(zn, qn, dn, p, key, rows);
      const a = cpu.readSync(dc), b = dense.readSync(dn);
      outcomes.push(b);
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
    }
    expect(differing).toBe(0);
    // The chain is not trivial: both outcomes occur in every layer, and the carried state is mixed in.
    for (const o of outcomes) expect(new Set(o)).toEqual(new Set([1, -1]));
    // And it is the core reference chain too.
    const ref = referenceNeuronLayers(zs, rows, cols, [0, 1, 2].map((l) => neuronLayerParams(params, l, 3)), [0, 1, 2].map((layer) => ({ seed: 99, pass: 4, layer, rowOffset: 128 })));
    outcomes.forEach((o, l) => expect(Array.from(o)).toEqual(Array.from(ref[l])));
  });
});
