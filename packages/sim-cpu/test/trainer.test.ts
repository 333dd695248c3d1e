import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CapabilityError,
  HALF_PI,
  SgdTrainer,
  type Checkpoint,
  type Backend,
  type NetworkSpec,
  type ProgressEvent,
  type TrainSpec,
} from "@natural-quantization/core";
import { loadMnistSubset, syntheticDataset } from "@natural-quantization/datasets";
import { loadCheckpoint, saveCheckpoint } from "@natural-quantization/core/node";
import { describe, expect, it } from "vitest";
import { CpuBackend } from "../src/cpu-backend.js";

const data = syntheticDataset({ trainSize: 400, testSize: 200, inputSize: 32, numClasses: 4, seed: 1 });
const net = (a: number, g = HALF_PI, width = 24, depth = 3): NetworkSpec => ({
  inputSize: 32, outputSize: 4, width, depth, bias: false, neuron: { a, g, activation: "tanh" },
});
const spec = (over: Partial<TrainSpec> = {}): TrainSpec => ({ epochs: 3, batch: 32, lr: 0.05, momentum: 0.9, shots: 7, seed: 11, ...over });

describe("SgdTrainer on sim-cpu", () => {
  it("learns the synthetic set (test error far below chance 0.75) and reports progress", async () => {
    const events: ProgressEvent[] = [];
    const trainer = new SgdTrainer(new CpuBackend(), { report: (e) => events.push(e) });
    const result = await trainer.train({ network: net(0.5), training: spec(), dataset: data });
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(result.history[2].loss).toBeLessThan(result.history[0].loss);
    const ev = await trainer.evaluate({ network: net(0.5), weights: result.weights, split: data.test, shots: 7, seed: 11 });
    expect(ev.kShot.error).toBeLessThan(0.2);
    expect(ev.oneShot.stderr).toBeCloseTo(Math.sqrt((ev.oneShot.error * (1 - ev.oneShot.error)) / 200), 12);
    expect(events.filter((e) => e.kind === "epoch")).toHaveLength(3);
    expect(events.filter((e) => e.kind === "batch")).toHaveLength(3 * Math.ceil(400 / 32));
  });

  it("is deterministic per seed and differs across seeds", async () => {
    const run = (seed: number) => new SgdTrainer(new CpuBackend()).train({ network: net(0.7, 0.9), training: spec({ epochs: 1, seed }), dataset: data });
    const [a, b, c] = await Promise.all([run(5), run(5), run(6)]);
    expect(a.weights[1].w).toEqual(b.weights[1].w);
    expect(a.history.map((h) => h.loss)).toEqual(b.history.map((h) => h.loss));
    expect(a.weights[1].w).not.toEqual(c.weights[1].w);
  });

  it("resumes from its checkpoint exactly as the uninterrupted run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nq-resume-"));
    const ckPath = join(dir, "checkpoint.json");
    const network = net(0.4, 0.8);
    const full = await new SgdTrainer(new CpuBackend()).train({ network, training: spec({ epochs: 3 }), dataset: data });
    await new SgdTrainer(new CpuBackend()).train({ network, training: spec({ epochs: 2 }), dataset: data, onEpochEnd: (state) => saveCheckpoint(ckPath, state) });
    const ck = loadCheckpoint(ckPath);
    expect(ck.epoch).toBe(2);
    const resumed = await new SgdTrainer(new CpuBackend()).train({ network, training: spec({ epochs: 3 }), dataset: data, resume: ck });
    resumed.weights.forEach((l, i) => expect(l.w).toEqual(full.weights[i].w));
    expect(resumed.history.map((h) => h.loss)).toEqual(full.history.map((h) => h.loss));
    // A checkpoint of another configuration is refused, naming each option that differs with both values.
    await expect(new SgdTrainer(new CpuBackend()).train({ network: net(0.5, 0.8), training: spec({ epochs: 3 }), dataset: data, resume: ck })).rejects.toThrow(
      /^the checkpoint was made with other options: a 0\.4 \(now 0\.5\); use the checkpoint's values/,
    );
    await expect(new SgdTrainer(new CpuBackend()).train({ network: net(0.4, 0.8, 20), training: spec({ epochs: 3, lr: 0.1 }), dataset: data, resume: ck })).rejects.toThrow(
      /other options: width 24 \(now 20\), lr 0\.05 \(now 0\.1\);/,
    );
  });

  it("the classical network (a = 0, g = pi/2) is deterministic: one-shot error equals k-shot error", async () => {
    const trainer = new SgdTrainer(new CpuBackend());
    const r = await trainer.train({ network: net(0), training: spec({ epochs: 2 }), dataset: data });
    const ev = await trainer.evaluate({ network: net(0), weights: r.weights, split: data.test, shots: 9, seed: 3 });
    expect(ev.oneShot.error).toBe(ev.kShot.error);
    expect(r.history.at(-1)!.testError1).toBe(ev.oneShot.error);
  });

  it("predict gives the per-image votes that evaluate scores: k votes per image, majority with ties to the lowest class", async () => {
    const trainer = new SgdTrainer(new CpuBackend());
    const network = net(0.8);
    const r = await trainer.train({ network, training: spec({ epochs: 1 }), dataset: data, evaluateEachEpoch: false });
    const p = await trainer.predict({ network, weights: r.weights, images: { n: data.test.n, x: data.test.x }, shots: 5, seed: 4 });
    const ev = await trainer.evaluate({ network, weights: r.weights, split: data.test, shots: 5, seed: 4 });
    expect([p.n, p.classes, p.shots]).toEqual([200, 4, 5]);
    let wrong1 = 0;
    let wrongK = 0;
    let split = 0;
    for (let i = 0; i < p.n; i++) {
      const v = Array.from(p.votes.subarray(i * 4, i * 4 + 4));
      expect(v.reduce((s, x) => s + x, 0)).toBe(5);
      expect(p.predicted[i]).toBe(v.indexOf(Math.max(...v)));
      expect(v[p.firstShot[i]]).toBeGreaterThan(0);
      if (Math.max(...v) < 5) split++;
      if (p.firstShot[i] !== data.test.y[i]) wrong1++;
      if (p.predicted[i] !== data.test.y[i]) wrongK++;
    }
    expect(split).toBeGreaterThan(0); // a = 0.8 samples: some images get split votes
    // The first shot is the one-shot prediction: the same draws as a 1-shot run of the same seed.
    const one = await trainer.predict({ network, weights: r.weights, images: { n: data.test.n, x: data.test.x }, shots: 1, seed: 4 });
    expect(Array.from(p.firstShot)).toEqual(Array.from(one.predicted));
    expect([ev.oneShot.error, ev.kShot.error]).toEqual([wrong1 / 200, wrongK / 200]);
  });

  it("refuses to train on a backend without the training capability, and rejects NaN weights", async () => {
    const be = new CpuBackend();
    const evalOnly = Object.assign(Object.create(be) as Backend, { capabilities: { ...be.capabilities, training: false } });
    await expect(new SgdTrainer({ dense: evalOnly, qubits: be }).train({ network: net(0.5), training: spec(), dataset: data })).rejects.toThrow(CapabilityError);
    const r = await new SgdTrainer(be).train({ network: net(0.5), training: spec({ epochs: 1 }), dataset: data });
    r.weights[0].w[3] = Number.NaN;
    await expect(new SgdTrainer(be).evaluate({ network: net(0.5), weights: r.weights, split: data.test, shots: 1, seed: 0 })).rejects.toThrow(/layer 1 w\[3\] is NaN/);
  });

  it("hands its state to the caller after every epoch, each a state the run can resume from", async () => {
    const states: Checkpoint[] = [];
    const network = net(0.5);
    const full = await new SgdTrainer(new CpuBackend()).train({ network, training: spec({ epochs: 3 }), dataset: data, onEpochEnd: (s) => void states.push(s) });
    expect(states.map((s) => s.epoch)).toEqual([1, 2, 3]);
    expect(states.map((s) => s.history.length)).toEqual([1, 2, 3]);
    // The state after epoch 1 is that epoch's, not the final one: resuming from it reproduces the run.
    expect(states[0].weights[0].w).not.toEqual(full.weights[0].w);
    const resumed = await new SgdTrainer(new CpuBackend()).train({ network, training: spec({ epochs: 3 }), dataset: data, resume: states[0] });
    resumed.weights.forEach((l, i) => expect(l.w).toEqual(full.weights[i].w));
    expect(states[2].weights[1].w).toEqual(full.weights[1].w);
  });

  it("trains Model 1 (a = 0.5, width 64, depth 3, 3 epochs) on the bundled MNIST subset to test error below 25%", async () => {
    const mnist = loadMnistSubset({ trainSize: 5000, testSize: 5000 });
    const network: NetworkSpec = { inputSize: 784, outputSize: 10, width: 64, depth: 3, bias: false, neuron: { a: 0.5, g: HALF_PI, activation: "tanh" } };
    const training: TrainSpec = { epochs: 3, batch: 64, lr: 0.01, momentum: 0.9, shots: 15, seed: 0 };
    const trainer = new SgdTrainer(new CpuBackend());
    const r = await trainer.train({ network, training, dataset: mnist, evaluateEachEpoch: false });
    const ev = await trainer.evaluate({ network, weights: r.weights, split: mnist.test, shots: 15, seed: 0 });
    console.log(`MNIST a=0.5 w64 d3 3 epochs: one-shot ${ev.oneShot.error.toFixed(4)} +- ${ev.oneShot.stderr.toFixed(4)}, 15-shot ${ev.kShot.error.toFixed(4)}`);
    expect(ev.oneShot.error).toBeLessThan(0.25);
    expect(ev.kShot.error).toBeLessThan(0.25);
  });
});
