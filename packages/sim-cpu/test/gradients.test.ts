import { HALF_PI, initWeights, SgdTrainer, type NetworkSpec } from "@natural-quantization/core";
import { syntheticDataset } from "@natural-quantization/datasets";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { CpuBackend } from "../src/cpu-backend.js";

/**
 * TensorFlow.js is the independent autodiff oracle: the whole backward pass of the reference
 * backend (cross-entropy, linear layers, biases, straight-through mask) must match tf.grads of
 * the same network. The classical sign network (a = 0, g = pi/2) is deterministic, so one
 * full-batch SGD step (lr 1, no momentum) exposes the exact gradient as w0 - w1.
 */
describe("backward pass against TensorFlow.js autodiff", () => {
  it("one full-batch SGD step equals the tfjs gradient of the straight-through network", async () => {
    await tf.setBackend("cpu");
    const data = syntheticDataset({ trainSize: 48, testSize: 8, inputSize: 20, numClasses: 5, seed: 2 });
    const network: NetworkSpec = { inputSize: 20, outputSize: 5, width: 16, depth: 4, bias: true, neuron: { a: 0, g: HALF_PI, activation: "tanh" } };
    const w0 = initWeights(network, 9);
    // Non-zero biases so their gradient path is exercised too.
    w0.forEach((l, i) => l.b!.forEach((_, j) => (l.b![j] = 0.05 * Math.sin(i + j))));
    const r = await new SgdTrainer(new CpuBackend()).train({
      network, dataset: data, initialWeights: w0, evaluateEachEpoch: false,
      training: { epochs: 1, batch: 48, lr: 1, momentum: 0, shots: 1, seed: 0 },
    });

    const ste = (z: tf.Tensor, save: tf.GradSaveFunc) => {
      save([z]);
      return {
        value: tf.where(tf.greater(z, 0), tf.onesLike(z), tf.onesLike(z).neg()),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.cast(tf.less(tf.abs(saved[0]), 1), "float32")),
      };
    };
    const sign = tf.customGrad(ste as unknown as Parameters<typeof tf.customGrad>[0]) as (z: tf.Tensor) => tf.Tensor;
    const x = tf.tensor2d(data.train.x, [48, 20]);
    const y = tf.oneHot(tf.tensor1d(data.train.y, "int32"), 5);
    const vars = w0.flatMap((l) => [tf.tensor2d(l.w, [l.out, l.in]), tf.tensor1d(l.b!)]);
    const loss = (...p: tf.Tensor[]) => {
      let h: tf.Tensor = x;
      for (let l = 0; l < network.depth; l++) {
        h = tf.add(tf.matMul(h, p[2 * l], false, true), p[2 * l + 1]);
        if (l < network.depth - 1) h = sign(h);
      }
      return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
    };
    const grads = tf.grads(loss)(vars);
    let checked = 0;
    w0.forEach((l, i) => {
      const gw = grads[2 * i].dataSync(), gb = grads[2 * i + 1].dataSync();
      for (let k = 0; k < l.w.length; k++) expect(l.w[k] - r.weights[i].w[k]).toBeCloseTo(gw[k], 5);
      for (let k = 0; k < l.b!.length; k++) expect(l.b![k] - r.weights[i].b![k]).toBeCloseTo(gb[k], 5);
      checked += l.w.length + l.b!.length;
    });
    // The test is not vacuous: some gradient in every layer is non-zero.
    grads.forEach((g) => expect(Math.max(...Array.from(g.dataSync(), Math.abs))).toBeGreaterThan(1e-4));
    expect(checked).toBe(20 * 16 + 16 + 2 * (16 * 16 + 16) + 16 * 5 + 5);
  });
});
