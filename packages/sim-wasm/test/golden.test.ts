// Golden results of the built-in neuron models on sim-cpu and sim-wasm: the SHA-256 of the trained
// weights' float32 bytes, every epoch's loss and errors, and the k-shot votes of an evaluation, for
// a few epochs of a small network. The fixture was generated from the code before the machine
// contract was refactored (issue 13), so a refactor that changes any bit of any result fails here.
// Regenerate (only on purpose, when results are meant to change): UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HALF_PI, SgdTrainer, type Backend, type NetworkSpec, type TrainSpec } from "@natural-quantization/core";
import { CpuBackend } from "@natural-quantization/sim-cpu";
import { loadMnistSubset } from "@natural-quantization/datasets";
import { WasmBackend } from "../src/wasm-backend.js";

const FIXTURE = new URL("./fixtures/golden.json", import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === "1";

interface Golden {
  readonly weightsSha256: string;
  readonly history: Array<{ loss: number; trainError: number; testError1: number | null }>;
  readonly oneShotError: number;
  readonly kShotError: number;
  readonly votesSha256: string;
  readonly predicted: number[];
}

const CASES: Array<[string, NetworkSpec["neuron"], { depth: number; bias: boolean }]> = [
  ["Model 1 a=0", { a: 0, g: HALF_PI, activation: "tanh" }, { depth: 3, bias: false }],
  ["Model 1 a=0.5", { a: 0.5, g: HALF_PI, activation: "tanh" }, { depth: 3, bias: true }],
  ["Model 1 a=1 htanh", { a: 1, g: HALF_PI, activation: "htanh" }, { depth: 3, bias: false }],
  ["Model 2 a=0.3 g=0.9", { a: 0.3, g: 0.9, activation: "tanh" }, { depth: 4, bias: false }],
];

const BACKENDS: Array<[string, () => Backend]> = [
  ["sim-cpu", () => new CpuBackend()],
  ["sim-wasm 1 thread", () => new WasmBackend({ threads: 1 })],
  ["sim-wasm 2 threads", () => new WasmBackend({ threads: 2 })],
];

const data = loadMnistSubset({ trainSize: 300, testSize: 100 });
const training: TrainSpec = { epochs: 2, batch: 32, lr: 0.05, momentum: 0.9, shots: 5, seed: 7 };

function sha256(arrays: ArrayLike<number>[], type: "f32" | "i32"): string {
  const h = createHash("sha256");
  for (const a of arrays) h.update(new Uint8Array((type === "f32" ? Float32Array.from(a) : Int32Array.from(a)).buffer));
  return h.digest("hex");
}

async function run(be: Backend, neuron: NetworkSpec["neuron"], shape: { depth: number; bias: boolean }): Promise<Golden> {
  const network: NetworkSpec = { inputSize: 784, outputSize: 10, width: 32, neuron, ...shape };
  try {
    const trainer = new SgdTrainer(be);
    const r = await trainer.train({ network, training, dataset: data });
    const p = await trainer.predict({ network, weights: r.weights, images: data.test, shots: 5, seed: 11 });
    const ev = await trainer.evaluate({ network, weights: r.weights, split: data.test, shots: 5, seed: 11 });
    return {
      weightsSha256: sha256(r.weights.flatMap((l) => (l.b ? [l.w, l.b] : [l.w])), "f32"),
      history: r.history.map((h) => ({ loss: h.loss, trainError: h.trainError, testError1: h.testError1 })),
      oneShotError: ev.oneShot.error,
      kShotError: ev.kShot.error,
      votesSha256: sha256([p.votes, p.firstShot], "i32"),
      predicted: Array.from(p.predicted),
    };
  } finally {
    be.dispose();
  }
}

describe("golden results of the built-in models (bit for bit)", () => {
  const fixture: Record<string, Golden> = existsSync(FIXTURE) ? (JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, Golden>) : {};
  const produced: Record<string, Golden> = {};
  for (const [backend, make] of BACKENDS) {
    for (const [label, neuron, shape] of CASES) {
      const key = `${backend.split(" ")[0]} ${label}`;
      it(`${backend}: ${label}`, async () => {
        const got = await run(make(), neuron, shape);
        if (UPDATE) {
          if (produced[key]) expect(got).toEqual(produced[key]); // both thread counts agree
          produced[key] = got;
          writeFileSync(FIXTURE, `${JSON.stringify({ ...fixture, ...produced }, null, 1)}\n`);
          return;
        }
        expect(fixture[key], `no golden result for ${key}; generate the fixture with UPDATE_GOLDEN=1`).toBeDefined();
        expect(got).toEqual(fixture[key]);
      });
    }
  }
});
