import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  HALF_PI,
  PAPER_NETWORK,
  EVAL_PASS_BASE,
  SgdTrainer,
  initWeights,
  type Backend,
  type Dataset,
  type NetworkSpec,
  recordingQubitLayer,
  type Machine,
  type NeuronParams,
} from "@natural-quantization/core";
import { referenceNeuronLayers } from "@natural-quantization/core/conformance";
import { neuronLayerParams } from "@natural-quantization/core";
import { CpuBackend } from "@natural-quantization/sim-cpu";
import { loadMnistSubset } from "@natural-quantization/datasets";
import { WasmBackend } from "../src/wasm-backend.js";

let mnist: Dataset | undefined;
function data(): Dataset {
  mnist ??= loadMnistSubset({ trainSize: 1000, testSize: 1000 });
  return mnist;
}

/** The backend as a machine whose qubit layer records every hidden layer's inputs and outcomes, in call order. */
function recording(be: Backend): { machine: Machine; outcomes: Float32Array[]; inputs: Float32Array[] } {
  const outcomes: Float32Array[] = [];
  const inputs: Float32Array[] = [];
  const qubits = recordingQubitLayer(be, ({ z, d, n }) => {
    inputs.push(be.readSync(z, n));
    outcomes.push(be.readSync(d, n));
  });
  return { machine: { dense: be, qubits }, outcomes, inputs };
}

/**
 * Evaluates the network (seeded initial weights; biases 0.05 sin(i) where present) with `shots`
 * shots through the real Trainer, and returns the hidden outcomes of every shot and layer.
 */
async function hiddenOutcomes(be: Backend, network: NetworkSpec, x: Float32Array, rows: number, shots: number, seed: number): Promise<Float32Array[][]> {
  const H = network.depth - 1;
  const weights = initWeights(network, seed).map((l) => ({ ...l, b: l.b ? l.b.map((_, i) => 0.05 * Math.sin(i)) : null }));
  const { machine, outcomes, inputs } = recording(be);
  const split = { n: rows, x: x.subarray(0, rows * network.inputSize), y: new Int32Array(rows) };
  await new SgdTrainer(machine).evaluate({ network, weights, split, shots, seed });
  expect(outcomes).toHaveLength(shots * H);
  // The Trainer's calls must realise the model: the reference chain of core, fed the recorded z,
  // with each hidden layer's parameters (the last one projective) and each shot's own draws.
  const params = Array.from({ length: H }, (_, l) => neuronLayerParams(network.neuron, l, H));
  for (let s = 0; s < shots; s++) {
    const keys = params.map((_, l) => ({ seed, pass: EVAL_PASS_BASE + s, layer: l, rowOffset: 0 }));
    const ref = referenceNeuronLayers(inputs.slice(s * H, (s + 1) * H), rows, network.width, params, keys);
    let same = 0;
    ref.forEach((layer, l) => layer.forEach((v, i) => void (v === outcomes[s * H + l][i] && same++)));
    expect(same / (H * rows * network.width)).toBeGreaterThanOrEqual(0.999);
  }
  return Array.from({ length: shots }, (_, s) => outcomes.slice(s * H, (s + 1) * H));
}

function agreement(a: Float32Array[][], b: Float32Array[][]): number {
  let same = 0, total = 0;
  a.forEach((shot, s) => shot.forEach((layer, l) => {
    for (let i = 0; i < layer.length; i++) {
      if (layer[i] === b[s][l][i]) same++;
      total++;
    }
  }));
  return same / total;
}

describe("sim-wasm agrees with sim-cpu", () => {
  const cases: Array<[string, NeuronParams, boolean]> = [
    ["Model 1 a=0.5 tanh", { a: 0.5, g: HALF_PI, activation: "tanh" }, false],
    ["classical a=0", { a: 0, g: HALF_PI, activation: "tanh" }, false],
    ["Model 1 a=1 htanh, bias", { a: 1, g: HALF_PI, activation: "htanh" }, true],
    ["Model 2 a=0.5 g=0.9", { a: 0.5, g: 0.9, activation: "tanh" }, false],
  ];
  for (const [label, neuron, bias] of cases) {
    it(`identical hidden outcomes of the paper network on MNIST, 3 shots (${label})`, async () => {
      const network: NetworkSpec = { ...PAPER_NETWORK, bias, neuron };
      const rows = 200, shots = 3;
      const cpu = new CpuBackend(), wasm = new WasmBackend();
      try {
        const x = data().test.x;
        const ref = await hiddenOutcomes(cpu, network, x, rows, shots, 11);
        const got = await hiddenOutcomes(wasm, network, x, rows, shots, 11);
        const share = agreement(got, ref);
        console.log(`agreement ${label}: ${(100 * share).toFixed(4)}% of ${shots * 3 * rows * 512} outcomes`);
        expect(share).toBeGreaterThanOrEqual(0.999);
      } finally {
        cpu.dispose();
        wasm.dispose();
      }
    });
  }

  it("15-shot evaluation outcomes (incremental layer updates) agree with recomputation and with sim-cpu", async () => {
    // A small a: few neurons change between shots, so most rows are updated from their flips.
    const network: NetworkSpec = { ...PAPER_NETWORK, neuron: { a: 0.1, g: HALF_PI, activation: "tanh" } };
    const rows = 100, shots = 15;
    const cpu = new CpuBackend(), inc = new WasmBackend(), full = new WasmBackend({ incremental: false });
    try {
      const x = data().test.x;
      const ref = await hiddenOutcomes(cpu, network, x, rows, shots, 5);
      const a = await hiddenOutcomes(inc, network, x, rows, shots, 5);
      const b = await hiddenOutcomes(full, network, x, rows, shots, 5);
      const vsCpu = agreement(a, ref), vsFull = agreement(a, b);
      const updated = inc.stats.updatedRows / inc.stats.signRows;
      console.log(`15 shots: ${(100 * updated).toFixed(1)}% of sign-input rows updated from flips; incremental vs sim-cpu ${(100 * vsCpu).toFixed(4)}%, vs full recomputation ${(100 * vsFull).toFixed(4)}%`);
      expect(updated).toBeGreaterThan(0.25);
      expect(full.stats.updatedRows).toBe(0);
      expect(vsCpu).toBeGreaterThanOrEqual(0.999);
      expect(vsFull).toBeGreaterThanOrEqual(0.999);
    } finally {
      cpu.dispose();
      inc.dispose();
      full.dispose();
    }
  });

  it("sign-input products (table look-ups, odd shapes, bias, repeated with flips) match the float64 reference", () => {
    const be = new WasmBackend();
    try {
      for (const [n, K, out] of [[40, 37, 19], [70, 130, 45], [16, 4, 1]] as const) {
        const xs = Float32Array.from({ length: n * K }, (_, i) => (Math.sin(i * 12.9898) > 0 ? 1 : -1));
        const ws = Float32Array.from({ length: out * K }, (_, i) => Math.sin(i * 0.37) * 0.3);
        const bs = Float32Array.from({ length: out }, (_, i) => Math.cos(i));
        const x = be.tensor(n, K), w = be.tensor(out, K), b = be.tensor(1, out), y = be.tensor(n, out);
        be.write(w, ws); be.write(b, bs);
        for (let round = 0; round < 3; round++) {
          // Flip a few inputs between rounds so that the incremental update runs too.
          if (round > 0) for (let i = round; i < n * K; i += 23) xs[i] = -xs[i];
          be.write(x, xs);
          be.linear(x, w, b, y, n, true);
          const got = be.readSync(y, n);
          for (let i = 0; i < n; i++) for (let o = 0; o < out; o++) {
            let s = bs[o];
            for (let k = 0; k < K; k++) s += xs[i * K + k] * ws[o * K + k];
            expect(Math.abs(got[i * out + o] - s)).toBeLessThan(1e-4 * Math.max(1, Math.abs(s)));
          }
        }
      }
    } finally {
      be.dispose();
    }
  });

  it("neuron layers at extreme quantumness (a = 1e-310, 1e-300, 1e6) give the reference outcomes", () => {
    const be = new WasmBackend({ threads: 1 });
    try {
      const rows = 30, cols = 21;
      const zArr = Float32Array.from({ length: rows * cols }, (_, i) => (i % 7 === 0 ? 0 : Math.sin(i * 3.1) * (i % 3 === 0 ? 1e-3 : 2)));
      for (const a of [1e-310, 1e-300, 1e6]) {
        const params = neuronLayerParams({ a, g: HALF_PI, activation: "tanh" }, 0, 1);
        const key = { seed: 3, pass: 4, layer: 0, rowOffset: 0 };
        const [ref] = referenceNeuronLayers([zArr], rows, cols, [params], [key]);
        const z = be.tensor(rows, cols), d = be.tensor(rows, cols), q = be.qubitRegister(rows, cols);
        be.write(z, zArr);
        be.resetQubits(q, rows);
        be.neuronLayer(z, q, d, params, key, rows);
        expect(Array.from(be.readSync(d))).toEqual(Array.from(ref));
      }
    } finally {
      be.dispose();
    }
  });

  it("weight gradients of a layer fed by neuron outcomes (the additions-only path) match the float64 reference", () => {
    const be = new WasmBackend();
    try {
      const n = 50, K = 70, out = 33;
      const zArr = Float32Array.from({ length: n * K }, (_, i) => Math.sin(i * 1.7));
      const dyArr = Float32Array.from({ length: n * out }, (_, i) => (i % 3 === 0 ? 0 : Math.cos(i * 0.3)));
      const wArr = Float32Array.from({ length: out * K }, (_, i) => Math.sin(i * 0.11) * 0.2);
      const z = be.tensor(n, K), d = be.tensor(n, K), q = be.qubitRegister(n, K), dy = be.tensor(n, out), w = be.tensor(out, K);
      const dw = be.tensor(out, K), dx = be.tensor(n, K);
      be.write(z, zArr); be.write(dy, dyArr); be.write(w, wArr);
      be.resetQubits(q, n);
      be.neuronLayer(z, q, d, neuronLayerParams({ a: 0, g: HALF_PI, activation: "tanh" }, 0, 1), { seed: 1, pass: 1, layer: 0, rowOffset: 0 }, n);
      be.linearBackward(dy, d, w, dx, dw, null, n);
      const got = be.readSync(dw), gotX = be.readSync(dx);
      for (let o = 0; o < out; o++) for (let k = 0; k < K; k++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += dyArr[i * out + o] * (zArr[i * K + k] > 0 ? 1 : -1);
        expect(Math.abs(got[o * K + k] - s)).toBeLessThan(1e-4 * Math.max(1, Math.abs(s)));
      }
      for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) {
        let s = 0;
        for (let o = 0; o < out; o++) s += dyArr[i * out + o] * wArr[o * K + k];
        expect(Math.abs(gotX[i * K + k] - s)).toBeLessThan(1e-4 * Math.max(1, Math.abs(s)));
      }
    } finally {
      be.dispose();
    }
  });

  it("short trainings reach test errors that agree within 3 combined binomial standard errors", async () => {
    const network: NetworkSpec = { inputSize: 784, outputSize: 10, width: 64, depth: 3, bias: false, neuron: { a: 0.5, g: HALF_PI, activation: "tanh" } };
    const training = { epochs: 2, batch: 64, lr: 0.01, momentum: 0.9, shots: 1, seed: 3 };
    const errors: number[] = [];
    for (const be of [new CpuBackend(), new WasmBackend()]) {
      try {
        const trainer = new SgdTrainer(be);
        const r = await trainer.train({ network, training, dataset: data(), evaluateEachEpoch: false });
        errors.push((await trainer.evaluate({ network, weights: r.weights, split: data().test, shots: 1, seed: 3 })).oneShot.error);
      } finally {
        be.dispose();
      }
    }
    const n = data().test.n;
    const se = Math.sqrt((errors[0] * (1 - errors[0])) / n + (errors[1] * (1 - errors[1])) / n);
    console.log(`test error after 2 epochs: sim-cpu ${errors[0].toFixed(4)}, sim-wasm ${errors[1].toFixed(4)}, difference ${(errors[1] - errors[0]).toFixed(4)} (3 SE = ${(3 * se).toFixed(4)})`);
    expect(Math.abs(errors[0] - errors[1])).toBeLessThanOrEqual(3 * se);
  });
});

describe("sim-wasm resources", () => {
  it("starts its worker under an ES-module parent and lets the process exit without dispose()", () => {
    const dist = new URL("../dist/index.js", import.meta.url).href;
    const code = `import { WasmBackend } from ${JSON.stringify(dist)};
      const be = new WasmBackend({ threads: 2 });
      const ready = be.waitForThreads();
      const t = be.tensor(64, 512); be.straightThrough(t, t, t, 64);
      console.log(JSON.stringify({ ready, threads: be.capabilities.threads }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", timeout: 30_000, cwd: fileURLToPath(new URL("..", import.meta.url)) });
    expect(JSON.parse(out.trim())).toEqual({ ready: true, threads: 2 });
  });

  it("release() frees memory for reuse, so repeated evaluations do not grow the WebAssembly memory", () => {
    const be = new WasmBackend({ threads: 1 });
    try {
      const cycle = () => {
        const ts = [be.tensor(1000, 784), be.tensor(1000, 512), be.tensor(512, 784)];
        const q = be.qubitRegister(1000, 512);
        be.resetQubits(q, 1000);
        be.linear(ts[0], ts[2], null, ts[1], 1000);
        for (const t of ts) be.release(t);
        be.release(q);
        be.release(q); // twice is allowed
        expect(() => be.readSync(ts[0])).toThrow(/release/);
      };
      cycle();
      const size = be.memoryBytes;
      for (let i = 0; i < 5; i++) cycle();
      expect(be.memoryBytes).toBe(size);
    } finally {
      be.dispose();
    }
  });
});
