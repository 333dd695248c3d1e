// inspectImage follows the qubits from the backend's recorded outcomes; the angles it reports
// must be the ones the backend measured at (checked statistically) and its votes must be the
// Trainer's (checked against evaluate on the same image).
import { initWeights, SgdTrainer, type NetworkSpec } from "@natural-quantization/core";
import { loadMnistSubset } from "@natural-quantization/datasets";
import { WasmBackend } from "@natural-quantization/sim-wasm";
import { afterAll, describe, expect, it } from "vitest";
import { inspectImage } from "../src/inspect.js";

const Z = 4.89; // false-alarm rate 1e-6 per check

describe("inspectImage", () => {
  const be = new WasmBackend({ threads: 1 });
  afterAll(() => be.dispose());
  const data = loadMnistSubset({ trainSize: 1, testSize: 20 });
  const network: NetworkSpec = { inputSize: 784, outputSize: 10, width: 32, depth: 3, bias: false, neuron: { a: 0.5, g: 1.0, activation: "tanh" } };
  const weights = initWeights(network, 5);

  it("reports angles whose P(+1) matches the outcomes the backend drew, layer by layer (Model 2 carries state)", async () => {
    const shots = 200;
    let plus = 0, expected = 0, variance = 0;
    const perLayer = [0, 0];
    for (let image = 0; image < 3; image++) {
      const ins = await inspectImage(be, network, weights, data.test.x.subarray(image * 784, (image + 1) * 784), shots, 11);
      expect(ins.layers).toHaveLength(shots);
      for (const shot of ins.layers) {
        shot.forEach((layer, l) => {
          for (let i = 0; i < network.width; i++) {
            const p = layer.probPlus[i];
            plus += layer.outcome[i] > 0 ? 1 : 0;
            expected += p;
            variance += p * (1 - p);
            perLayer[l] += p * (1 - p);
          }
        });
        // The last hidden layer is projective: the carried state is |0> or |1>.
        for (const c of shot[1].carried) expect(Math.min(Math.abs(c), Math.abs(Math.abs(c) - Math.PI))).toBeLessThan(1e-12);
      }
    }
    // Both layers must contribute randomness for the check to mean anything.
    expect(Math.min(...perLayer)).toBeGreaterThan(50);
    expect(Math.abs(plus - expected)).toBeLessThanOrEqual(Z * Math.sqrt(variance));
  });

  it("votes as the Trainer's k-shot evaluation does", async () => {
    const shots = 9, seed = 4;
    for (let image = 0; image < 5; image++) {
      const x = data.test.x.subarray(image * 784, (image + 1) * 784);
      const label = data.test.y[image];
      const ins = await inspectImage(be, network, weights, x, shots, seed);
      expect(ins.votes.reduce((s, v) => s + v, 0)).toBe(shots);
      const ev = await new SgdTrainer(be).evaluate({ network, weights, split: { n: 1, x, y: Int32Array.of(label) }, shots, seed });
      let best = 0;
      for (let c = 1; c < 10; c++) if (ins.votes[c] > ins.votes[best]) best = c;
      expect(ev.kShot.error).toBe(best === label ? 0 : 1);
      expect(ev.oneShot.error).toBe(ins.predictions[0] === label ? 0 : 1);
    }
  });
});
