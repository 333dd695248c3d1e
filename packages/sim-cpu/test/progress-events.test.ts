import { HALF_PI, SgdTrainer, type NetworkSpec, type ProgressEvent } from "@natural-quantization/core";
import { syntheticDataset } from "@natural-quantization/datasets";
import { describe, expect, it } from "vitest";
import { CpuBackend } from "../src/cpu-backend.js";

// 2,500 test images: three chunks of the evaluation (1,000 images each at most).
const data = syntheticDataset({ trainSize: 96, testSize: 2500, inputSize: 16, numClasses: 4, seed: 2 });
const network: NetworkSpec = { inputSize: 16, outputSize: 4, width: 8, depth: 2, bias: false, neuron: { a: 0.5, g: HALF_PI, activation: "tanh" } };

type EvalEvent = Extract<ProgressEvent, { kind: "eval" }>;

describe("the Trainer's progress events", () => {
  it("an evaluation reports its start and every shot of every chunk of images, in passes of one image", async () => {
    const events: ProgressEvent[] = [];
    const trainer = new SgdTrainer(new CpuBackend(), { report: (e) => events.push(e) });
    const { weights } = await trainer.train({ network, training: { epochs: 1, batch: 32, lr: 0.05, momentum: 0.9, shots: 1, seed: 1 }, dataset: data, evaluateEachEpoch: false });
    events.length = 0;
    await trainer.evaluate({ network, weights, split: data.test, shots: 4, seed: 3 });
    const evals = events as EvalEvent[];
    expect(events.every((e) => e.kind === "eval" && e.epoch === null && e.shots === 4 && e.total === 10_000)).toBe(true);
    // passes: 0, then chunk 1 (1,000 images) shot by shot, chunk 2, then the last 500 images.
    expect(evals.map((e) => e.passes)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 8500, 9000, 9500, 10_000]);
  });

  it("the test error after each epoch reports as that epoch's evaluation, between its batches and its epoch event", async () => {
    const events: ProgressEvent[] = [];
    await new SgdTrainer(new CpuBackend(), { report: (e) => events.push(e) }).train({ network, training: { epochs: 2, batch: 32, lr: 0.05, momentum: 0.9, shots: 1, seed: 1 }, dataset: data });
    const kinds = events.map((e) => (e.kind === "eval" ? `eval ${e.epoch} ${e.passes}/${e.total}` : e.kind === "batch" ? `batch ${e.epoch} ${e.batch}` : e.kind));
    // The per-epoch test runs in the training batch's buffers: a report every 32 images.
    const test = (epoch: number) => ["eval " + epoch + " 0/2500", ...Array.from({ length: 79 }, (_, i) => `eval ${epoch} ${Math.min(2500, 32 * (i + 1))}/2500`)];
    expect(kinds).toEqual([
      "start",
      "batch 0 1", "batch 0 2", "batch 0 3", ...test(0), "epoch",
      "batch 1 1", "batch 1 2", "batch 1 3", ...test(1), "epoch",
    ]);
  });
});
