import { describe, expect, it } from "vitest";
import type { Backend, Tensor } from "./backend.js";
import type { Dataset } from "./dataset.js";
import { HALF_PI } from "./neuron.js";
import type { NetworkSpec } from "./spec.js";
import { SgdTrainer } from "./trainer.js";

/** What the thread tier compares, and on what. */
export interface ThreadConformanceOptions {
  /** Thread counts to compare; the first is the reference. */
  readonly threads: readonly number[];
  /** MNIST-shaped data (784 inputs, 10 classes) to train on: about 1,000 images of each split suffice. */
  readonly dataset: () => Dataset;
}

/** FNV-1a over the bits of float32 values, folded into a running hash. */
function fold(hash: number, values: Float32Array): number {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (const b of bits) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
  return hash;
}

interface Seen {
  outcomes: number;
  predictions: number;
  layers: number;
}

/**
 * The backend as the Trainer sees it, observing (not changing) what it computes: every hidden
 * outcome a neuron layer writes and every prediction, folded into one hash each.
 */
function observed(be: Backend): { backend: Backend; seen: Seen } {
  const seen: Seen = { outcomes: 0x811c9dc5, predictions: 0x811c9dc5, layers: 0 };
  const backend = new Proxy(be, {
    get(target, prop, receiver) {
      // The machine's parts are the observed backend itself.
      if (prop === "dense" || prop === "qubits") return receiver;
      const v: unknown = Reflect.get(target, prop);
      if (typeof v !== "function") return v;
      if (prop === "neuronLayer") {
        return (...a: Parameters<Backend["neuronLayer"]>) => {
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

interface Outcome extends Seen {
  weights: Float32Array[];
  losses: number[];
  oneShot: number;
  kShot: number;
}

async function trainAndEvaluate(be: Backend, network: NetworkSpec, dataset: Dataset): Promise<Outcome> {
  try {
    const { backend, seen } = observed(be);
    const trainer = new SgdTrainer(backend);
    const training = { epochs: 2, batch: 64, lr: 0.01, momentum: 0.9, shots: 3, seed: 9 };
    const r = await trainer.train({ network, training, dataset, evaluateEachEpoch: true });
    const ev = await trainer.evaluate({ network, weights: r.weights, split: dataset.test, shots: 3, seed: 9 });
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

/** Whether two float32 arrays hold the same bits (so -0 differs from 0, and NaNs compare). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.every((v, i) => v === y[i]);
}

/**
 * The thread tier, for a simulator with a thread pool: Model 1 (with bias) and Model 2, trained for
 * two epochs and evaluated through the real Trainer with each thread count, give bit-identical
 * hidden outcomes, predictions, losses, errors and weights. `makeBackend(threads)` makes a fresh
 * backend with that many threads (disposed after its run).
 */
export function threadConformance(name: string, makeBackend: (threads: number) => Backend | Promise<Backend>, options: ThreadConformanceOptions): void {
  const networks: Array<[string, NetworkSpec]> = [
    ["Model 1 (a = 0.5, bias)", { inputSize: 784, outputSize: 10, width: 128, depth: 4, bias: true, neuron: { a: 0.5, g: HALF_PI, activation: "tanh" } }],
    ["Model 2 (g = 0.9)", { inputSize: 784, outputSize: 10, width: 96, depth: 3, bias: false, neuron: { a: 0.5, g: 0.9, activation: "tanh" } }],
  ];
  describe(`thread conformance: ${name}`, () => {
    for (const [model, network] of networks) {
      it(`${model}: ${options.threads.join(", ")} threads give bit-identical trainings, outcomes and evaluations`, async () => {
        const runs: Outcome[] = [];
        for (const threads of options.threads) runs.push(await trainAndEvaluate(await makeBackend(threads), network, options.dataset()));
        const [one, ...more] = runs;
        expect(one.layers).toBeGreaterThan(0);
        for (const r of more) {
          expect(r.outcomes).toBe(one.outcomes);
          expect(r.predictions).toBe(one.predictions);
          expect(r.losses).toEqual(one.losses);
          expect([r.oneShot, r.kShot]).toEqual([one.oneShot, one.kShot]);
          expect(r.weights.length).toBe(one.weights.length);
          r.weights.forEach((w, i) => expect(sameBits(w, one.weights[i])).toBe(true));
        }
      });
    }
  });
}
