import { describe, expect, it } from "vitest";
import {
  ConfigError,
  HALF_PI,
  SgdTrainer,
  type Backend,
  type Dataset,
  type NetworkSpec,
  type Tensor,
} from "@natural-quantization/core";
import { loadMnistSubset } from "@natural-quantization/datasets";
import { WasmBackend } from "../src/wasm-backend.js";

let mnist: Dataset | undefined;
function data(): Dataset {
  mnist ??= loadMnistSubset({ trainSize: 1000, testSize: 1000 });
  return mnist;
}

/** FNV-1a over the bits of float32 values, folded into a running hash. */
function fold(hash: number, values: Float32Array): number {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (const b of bits) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
  return hash;
}

/**
 * The backend as the Trainer sees it, observing (not changing) what it computes: every hidden
 * outcome a neuron layer writes and every prediction, folded into one hash each.
 */
function observed(be: WasmBackend): { backend: Backend; seen: { outcomes: number; predictions: number; layers: number } } {
  const seen = { outcomes: 0x811c9dc5, predictions: 0x811c9dc5, layers: 0 };
  const backend = new Proxy(be, {
    get(target, prop, receiver) {
      // The machine's parts are the observed backend itself.
      if (prop === "dense" || prop === "qubits") return receiver;
      const v: unknown = Reflect.get(target, prop);
      if (typeof v !== "function") return v;
      if (prop === "neuronLayer") {
        return (...a: Parameters<WasmBackend["neuronLayer"]>) => {
          target.neuronLayer(...a);
          const [, , d, , , n] = a;
          seen.outcomes = fold(seen.outcomes, target.readSync(d as Tensor, n));
          seen.layers++;
        };
      }
      if (prop === "argmax") {
        return (logits: Tensor, n: number) => {
          const p = target.argmax(logits, n);
          seen.predictions = fold(seen.predictions, new Float32Array(p));
          return p;
        };
      }
      return (v as (...x: unknown[]) => unknown).bind(target);
    },
  });
  return { backend, seen };
}

interface Outcome {
  weights: Float32Array[];
  losses: number[];
  oneShot: number;
  kShot: number;
  outcomes: number;
  predictions: number;
  layers: number;
}

async function trainAndEvaluate(network: NetworkSpec, threads: number): Promise<Outcome> {
  const be = new WasmBackend({ threads });
  try {
    if (threads > 1) expect(be.waitForThreads()).toBe(true);
    const { backend, seen } = observed(be);
    const trainer = new SgdTrainer(backend);
    const training = { epochs: 2, batch: 64, lr: 0.01, momentum: 0.9, shots: 3, seed: 9 };
    const r = await trainer.train({ network, training, dataset: data(), evaluateEachEpoch: true });
    const ev = await trainer.evaluate({ network, weights: r.weights, split: data().test, shots: 3, seed: 9 });
    return {
      weights: r.weights.flatMap((l) => [l.w, ...(l.b ? [l.b] : [])]),
      losses: r.history.map((h) => h.loss),
      oneShot: ev.oneShot.error,
      kShot: ev.kShot.error,
      ...seen,
    };
  } finally {
    be.dispose();
  }
}

describe("sim-wasm threads", () => {
  const networks: Array<[string, NetworkSpec]> = [
    ["Model 1 (a = 0.5, bias)", { inputSize: 784, outputSize: 10, width: 128, depth: 4, bias: true, neuron: { a: 0.5, g: HALF_PI, activation: "tanh" } }],
    ["Model 2 (g = 0.9)", { inputSize: 784, outputSize: 10, width: 96, depth: 3, bias: false, neuron: { a: 0.5, g: 0.9, activation: "tanh" } }],
  ];
  for (const [name, network] of networks) {
    it(`${name}: 1, 2, 3 and 4 threads give bit-identical trainings, outcomes and evaluations`, async () => {
      const runs: Outcome[] = [];
      for (const threads of [1, 2, 3, 4]) runs.push(await trainAndEvaluate(network, threads));
      const [one, ...more] = runs;
      expect(one.layers).toBeGreaterThan(0);
      for (const r of more) {
        expect(r.outcomes).toBe(one.outcomes);
        expect(r.predictions).toBe(one.predictions);
        expect(r.losses).toEqual(one.losses);
        expect([r.oneShot, r.kShot]).toEqual([one.oneShot, one.kShot]);
        expect(r.weights.length).toBe(one.weights.length);
        r.weights.forEach((w, i) => expect(Buffer.from(w.buffer, w.byteOffset, w.byteLength).equals(Buffer.from(one.weights[i].buffer, one.weights[i].byteOffset, one.weights[i].byteLength))).toBe(true));
      }
    });
  }

  it("takes any thread count >= 1 and names a bad one", () => {
    const be = new WasmBackend({ threads: 3 });
    try {
      expect(be.capabilities.threads).toBe(3);
      expect(be.waitForThreads()).toBe(true);
    } finally {
      be.dispose();
    }
    for (const bad of [0, -2, 1.5, Number.NaN]) {
      expect(() => new WasmBackend({ threads: bad })).toThrow(ConfigError);
      expect(() => new WasmBackend({ threads: bad })).toThrow(`invalid sim-wasm threads: ${Number.isNaN(bad) ? "NaN" : bad} (allowed: an integer >= 1)`);
    }
  });
});
