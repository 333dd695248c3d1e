/**
 * The backend conformance suite, in tiers by capability. Every backend runs what applies from
 * its own tests:
 *
 *   import { backendConformance } from "@natural-quantization/core/conformance";
 *   backendConformance("sim-cpu", () => new CpuBackend());               // a simulator: dense + exact tiers
 *   denseConformance("sim-tfjs", () => new TfjsEngine());                 // a dense-only engine
 *   exactQubitConformance("noisy", () => ({ dense, qubits }));            // an exact qubit layer on any dense engine
 *   shotQubitConformance("hardware", () => ({ dense, qubits }), { samples: 400 });  // shots tier
 *
 * - dense tier: shapes, the linear algebra against a plain reference, the loss and the optimizer.
 * - exact tier (sampling "exact"): the neuron layer against the NeuronModel it is given: identical
 *   outcomes from the same draws, sampled frequencies within binomial bounds, determinism per seed.
 * - shots tier (sampling "shots"): outcome frequencies against the exact probabilities, with a
 *   tolerance that scales with the number of shots (and an optional systematic allowance for noise).
 */
import { describe, expect, it } from "vitest";
import type { Backend, DenseEngine, Machine, QubitRegister, RunContext, Tensor } from "./backend.js";
import { backAction, HALF_PI, neuronLayerParams, probPlus, qubitNeuron, target, type NeuronLayerParams, type NeuronParams, type NeuronPlugin } from "./neuron.js";
import { neuronUniforms, RandomStream, type DrawKey } from "./rng.js";

export interface ConformanceOptions {
  /** Share of neuron outcomes that must equal the float64 reference (1 for exact backends). Default 0.999. */
  readonly outcomeAgreement?: number;
  /** Relative tolerance of linear algebra against the float64 reference. Default 1e-4. */
  readonly tolerance?: number;
  /** The exact tier's same-draws test runs under this neuron model too (default: the built-in one only). */
  readonly neuron?: NeuronPlugin;
}

/** Two-sided standard-normal quantile for the suite's false-alarm rate of 1e-6 per check. */
const Z_FALSE_ALARM = 4.89;

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const rng = new RandomStream(seed, "init", 999);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * scale;
  return a;
}

function signArray(n: number, seed: number): Float32Array {
  const a = randomArray(n, seed);
  return a.map((v) => (v > 0 ? 1 : -1));
}

/**
 * Reference chain of hidden layers in float64: outcomes of each layer, fed the same z per layer.
 * Each layer's neuron model (params.model; the built-in one for plain parameters) steps every neuron.
 */
export function referenceNeuronLayers(zs: Float32Array[], rows: number, cols: number, params: readonly (NeuronParams | NeuronLayerParams)[], keys: DrawKey[]): Int8Array[] {
  const alpha = new Float64Array(rows * cols);
  const m = new Int8Array(rows * cols).fill(1);
  const u = new Float64Array(rows * cols);
  return zs.map((z, l) => {
    neuronUniforms(keys[l], rows, cols, u);
    const out = new Int8Array(rows * cols);
    const p = params[l];
    const model = "model" in p ? p.model : qubitNeuron.create(p);
    for (let i = 0; i < rows * cols; i++) {
      const next = model.step({ alpha: alpha[i], m: m[i] as 1 | -1 }, z[i], u[i], p.g);
      alpha[i] = next.alpha;
      m[i] = next.m;
      out[i] = next.m;
    }
    return out;
  });
}

/** One neuron layer call, awaited only when the layer returns a promise. */
async function layerCall(m: Machine, z: Tensor, q: QubitRegister, d: Tensor, params: NeuronLayerParams, run: RunContext, n: number): Promise<void> {
  const pending = m.qubits.neuronLayer(z, q, d, params, run, n);
  if (pending) await pending;
}

function expectClose(actual: Float32Array, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : Math.max(worst, err);
  }
  expect(worst).toBeLessThanOrEqual(tol);
}

/** Layer 0 of a network with two hidden layers: the network's own g (not forced projective). */
function firstOfTwo(params: NeuronParams): NeuronLayerParams {
  return neuronLayerParams(params, 0, 2);
}

/** A backend-made thing with a dispose(), used and disposed by one test. */
function using<T>(make: () => T, dispose: (t: T) => void) {
  return (fn: (t: T) => void | Promise<void>) => async () => {
    const t = make();
    try {
      await fn(t);
    } finally {
      dispose(t);
    }
  };
}

/** Every tier a simulator backend (dense math and an exact qubit layer in one) must pass. */
export function backendConformance(name: string, makeBackend: () => Backend, options: ConformanceOptions = {}): void {
  describe(`backend conformance: ${name}`, () => {
    const withBackend = using(makeBackend, (be) => be.dispose());
    it("declares its name and capabilities", withBackend((be) => {
      expect(be.name).toBe(name);
      expect(typeof be.capabilities.training).toBe("boolean");
      expect(["exact", "shots"]).toContain(be.capabilities.sampling);
      expect(be.capabilities.threads).toBeGreaterThanOrEqual(1);
    }));
  });
  denseConformance(name, makeBackend, options);
  exactQubitConformance(name, makeBackend, options);
}

/** The dense tier: tensors, linear algebra, straight-through mask, loss, optimizer (reads and results awaited where promised). */
export function denseConformance(name: string, makeDense: () => DenseEngine, options: ConformanceOptions = {}): void {
  const tol = options.tolerance ?? 1e-4;
  describe(`dense tier: ${name}`, () => {
    const withBackend = using(makeDense, (be) => be.dispose());

    it("reads the same synchronously (where it can) and asynchronously", withBackend(async (be) => {
      const t = be.tensor(3, 2);
      be.write(t, Float32Array.from([1, -2, 3.5, 4, 5, 6]));
      const read = await be.read(t, 2);
      expect(Array.from(read)).toEqual([1, -2, 3.5, 4]);
      if (be.readSync) expect(Array.from(be.readSync(t, 2))).toEqual(Array.from(read));
    }));

    it("copies what it is given and what it returns (callers reuse their arrays)", withBackend(async (be) => {
      const t = be.tensor(2, 2);
      const source = Float32Array.from([1, 2, 3, 4]);
      be.write(t, source);
      source.fill(9);
      const first = await be.read(t);
      first.fill(7);
      expect(Array.from(await be.read(t))).toEqual([1, 2, 3, 4]);
    }));

    it("round-trips tensors, whole and by row offset", withBackend(async (be) => {
      const t = be.tensor(5, 3);
      expect([t.rows, t.cols]).toEqual([5, 3]);
      expect(Array.from(await be.read(t))).toEqual(new Array(15).fill(0));
      be.write(t, Float32Array.from([1, 2, 3, 4, 5, 6]), 2);
      expect(Array.from(await be.read(t))).toEqual([0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0]);
      expect(Array.from(await be.read(t, 3))).toEqual([0, 0, 0, 0, 0, 0, 1, 2, 3]);
    }));

    for (const [n, inDim, outDim, bias, sign] of [[7, 13, 5, true, false], [64, 100, 33, false, false], [10, 37, 19, false, true], [3, 8, 8, true, true]] as const) {
      it(`linear and its backward pass match the reference (n=${n}, ${inDim}->${outDim}, bias=${bias}, sign input=${sign})`, withBackend(async (be) => {
        const rows = n + 2; // only the first n rows are used
        const xs = sign ? signArray(rows * inDim, 1) : randomArray(rows * inDim, 1);
        const ws = randomArray(outDim * inDim, 2, 0.3);
        const bs = randomArray(outDim, 3);
        const dys = randomArray(rows * outDim, 4);
        const x = be.tensor(rows, inDim), w = be.tensor(outDim, inDim), b = be.tensor(1, outDim), y = be.tensor(rows, outDim);
        be.write(x, xs); be.write(w, ws); be.write(b, bs);
        be.linear(x, w, bias ? b : null, y, n, sign);
        const yRef = new Float64Array(n * outDim);
        for (let i = 0; i < n; i++) for (let o = 0; o < outDim; o++) {
          let s = bias ? bs[o] : 0;
          for (let k = 0; k < inDim; k++) s += xs[i * inDim + k] * ws[o * inDim + k];
          yRef[i * outDim + o] = s;
        }
        expectClose(await be.read(y, n), yRef, tol);

        const dy = be.tensor(rows, outDim), dx = be.tensor(rows, inDim), dw = be.tensor(outDim, inDim), db = be.tensor(1, outDim);
        be.write(dy, dys);
        be.linearBackward(dy, x, w, dx, dw, bias ? db : null, n);
        const dxRef = new Float64Array(n * inDim), dwRef = new Float64Array(outDim * inDim), dbRef = new Float64Array(outDim);
        for (let i = 0; i < n; i++) for (let o = 0; o < outDim; o++) {
          const g = dys[i * outDim + o];
          dbRef[o] += g;
          for (let k = 0; k < inDim; k++) {
            dxRef[i * inDim + k] += g * ws[o * inDim + k];
            dwRef[o * inDim + k] += g * xs[i * inDim + k];
          }
        }
        expectClose(await be.read(dx, n), dxRef, tol);
        expectClose(await be.read(dw), dwRef, tol);
        if (bias) expectClose(await be.read(db), dbRef, tol);
        // Overwrites rather than accumulates.
        be.linearBackward(dy, x, w, null, dw, null, n);
        expectClose(await be.read(dw), dwRef, tol);
      }));
    }

    it("straight-through mask passes gradients only where |z| < 1", withBackend(async (be) => {
      const zArr = Float32Array.from([-1.5, -1, -0.99, 0, 0.5, 0.999, 1, 2]);
      const gArr = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
      const z = be.tensor(1, 8), g = be.tensor(1, 8);
      be.write(z, zArr); be.write(g, gArr);
      be.straightThrough(z, g, g, 1);
      expect(Array.from(await be.read(g))).toEqual([0, 0, 3, 4, 5, 6, 0, 0]);
    }));

    it("softmax cross-entropy: loss, gradient (softmax - onehot)/n, argmax ties to the lowest class", withBackend(async (be) => {
      const rows = 5, C = 4, n = 4;
      const l = Float32Array.from([1, 2, 3, 4, 0, 0, 0, 0, 5, 1, 5, -1, -3, 8, 2, 8, 9, 9, 9, 9]);
      const labels = Int32Array.from([3, 1, 2, 0]);
      const logits = be.tensor(rows, C), dl = be.tensor(rows, C);
      be.write(logits, l);
      const { loss, predictions } = await be.softmaxCrossEntropy(logits, labels, dl, n);
      expect(Array.from(predictions)).toEqual([3, 0, 0, 1]);
      expect(Array.from(await be.argmax(logits, n))).toEqual([3, 0, 0, 1]);
      let lossRef = 0;
      const dRef: number[] = [];
      for (let i = 0; i < n; i++) {
        const row = Array.from(l.subarray(i * C, (i + 1) * C));
        const mx = Math.max(...row);
        const e = row.map((v) => Math.exp(v - mx));
        const s = e.reduce((a, b) => a + b, 0);
        lossRef += -Math.log(e[labels[i]] / s);
        e.forEach((v, c) => dRef.push((v / s - (c === labels[i] ? 1 : 0)) / n));
      }
      expect(loss).toBeCloseTo(lossRef, 4);
      expectClose(await be.read(dl, n), dRef, 1e-5);
    }));

    it("SGD with momentum follows v = mu v + g; w -= lr v", withBackend(async (be) => {
      const w = be.tensor(1, 3), g = be.tensor(1, 3), v = be.tensor(1, 3);
      be.write(w, Float32Array.from([1, 2, 3]));
      be.write(g, Float32Array.from([0.5, -1, 2]));
      be.sgdStep(w, g, v, 0.1, 0.9);
      be.sgdStep(w, g, v, 0.1, 0.9);
      // v1 = g, w1 = w - 0.1 g; v2 = 1.9 g, w2 = w1 - 0.19 g = w - 0.29 g
      expectClose(await be.read(v), [0.95, -1.9, 3.8], 1e-6);
      expectClose(await be.read(w), [1 - 0.145, 2 + 0.29, 3 - 0.58], 1e-6);
    }));
  });
}

/** The exact tier: outcomes identical to core's reference from the same draws. */
export function exactQubitConformance(name: string, makeMachine: () => Machine, options: ConformanceOptions = {}): void {
  const agreement = options.outcomeAgreement ?? 0.999;
  describe(`exact qubit tier: ${name}`, () => {
    const withMachine = using(makeMachine, (m) => m.dense.dispose());

    it("declares exact sampling", withMachine(async (m) => {
      expect(m.qubits.capabilities.sampling).toBe("exact");
    }));

    const layerCases: Array<[string, NeuronParams]> = [
      ["classical a=0 g=pi/2", { a: 0, g: HALF_PI, activation: "tanh" }],
      ["Model 1 a=0.5 tanh", { a: 0.5, g: HALF_PI, activation: "tanh" }],
      ["Model 1 a=1.5 htanh", { a: 1.5, g: HALF_PI, activation: "htanh" }],
      ["Model 2 a=0 g=0.4", { a: 0, g: 0.4, activation: "tanh" }],
      ["Model 2 a=0.3 g=1.1", { a: 0.3, g: 1.1, activation: "tanh" }],
      ["no information g=0", { a: 0.5, g: 0, activation: "tanh" }],
    ];
    const models = options.neuron ? [qubitNeuron, options.neuron] : [qubitNeuron];
    for (const [label, params] of layerCases) for (const neuron of models) {
      it(`neuron layers give the reference outcomes from the same draws (${label}, model ${neuron.name}, 3 layers, state carried)`, withMachine(async (m) => {
        const rows = 40, cols = 37, n = 37;
        const zs = [0, 1, 2].map((l) => randomArray(rows * cols, 10 + l, 1.5));
        const model = neuron.create(params);
        const layerParams = [0, 1, 2].map((l) => model.layer(l, 3));
        const keys = [0, 1, 2].map((layer) => ({ seed: 1234, pass: 77, layer, rowOffset: 500 }));
        const ref = referenceNeuronLayers(zs.map((z) => z.subarray(0, n * cols)), n, cols, layerParams, keys);
        const q = m.qubits.qubitRegister(rows, cols);
        m.qubits.resetQubits(q, n);
        let same = 0;
        for (const [l, zArr] of zs.entries()) {
          const z = m.dense.tensor(rows, cols), d = m.dense.tensor(rows, cols);
          m.dense.write(z, zArr);
          await layerCall(m, z, q, d, layerParams[l], keys[l], n);
          const out = await m.dense.read(d, n);
          for (let i = 0; i < n * cols; i++) {
            expect(Math.abs(out[i])).toBe(1);
            if (out[i] === ref[l][i]) same++;
          }
        }
        expect(same / (3 * n * cols)).toBeGreaterThanOrEqual(agreement);
      }));
    }

    it("a = 0, g = pi/2 is the deterministic sign network", withMachine(async (m) => {
      const rows = 16, cols = 50;
      const zArr = randomArray(rows * cols, 5);
      const z = m.dense.tensor(rows, cols), d = m.dense.tensor(rows, cols), q = m.qubits.qubitRegister(rows, cols);
      m.dense.write(z, zArr);
      for (const seed of [1, 2, 3]) {
        m.qubits.resetQubits(q, rows);
        await layerCall(m, z, q, d, firstOfTwo({ a: 0, g: HALF_PI, activation: "tanh" }), { seed, pass: seed, layer: 0, rowOffset: 0 }, rows);
        expect(Array.from(await m.dense.read(d))).toEqual(Array.from(zArr, (v) => (v > 0 ? 1 : -1)));
      }
    }));

    it("sampled outcome frequencies match the exact probabilities (binomial bound, false alarm 1e-6 per cell)", withMachine(async (m) => {
      // One column per probability; many rows are independent draws of the same neuron.
      const zValues = [-2, -0.7, -0.2, 0, 0.15, 0.5, 1.3, 3];
      const cases: NeuronParams[] = [
        { a: 0.5, g: HALF_PI, activation: "tanh" },
        { a: 1, g: 0.6, activation: "htanh" },
        { a: 0.8, g: 0, activation: "tanh" },
      ];
      const rows = 4000, cols = zValues.length;
      const zArr = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) zArr.set(zValues, r * cols);
      const z = m.dense.tensor(rows, cols), d = m.dense.tensor(rows, cols), q = m.qubits.qubitRegister(rows, cols);
      m.dense.write(z, zArr);
      for (const params of cases) {
        m.qubits.resetQubits(q, rows);
        await layerCall(m, z, q, d, firstOfTwo(params), { seed: 42, pass: 1, layer: 0, rowOffset: 0 }, rows);
        const out = await m.dense.read(d);
        zValues.forEach((zv, j) => {
          const p = probPlus(HALF_PI * (1 - target(zv, params.a, params.activation)), params.g);
          let plus = 0;
          for (let r = 0; r < rows; r++) if (out[r * cols + j] === 1) plus++;
          const sd = Math.sqrt((p * (1 - p)) / rows);
          expect(Math.abs(plus / rows - p)).toBeLessThanOrEqual(Z_FALSE_ALARM * sd + 1e-12);
        });
      }
    }));

    it("same seed gives the same outcomes; another seed or pass gives others", withMachine(async (m) => {
      const rows = 32, cols = 64;
      const zArr = randomArray(rows * cols, 6, 0.5);
      const z = m.dense.tensor(rows, cols), d = m.dense.tensor(rows, cols), q = m.qubits.qubitRegister(rows, cols);
      m.dense.write(z, zArr);
      const run = async (key: DrawKey) => {
        m.qubits.resetQubits(q, rows);
        await layerCall(m, z, q, d, firstOfTwo({ a: 1, g: HALF_PI, activation: "tanh" }), key, rows);
        return Array.from(await m.dense.read(d));
      };
      const base = await run({ seed: 7, pass: 3, layer: 0, rowOffset: 0 });
      expect(await run({ seed: 7, pass: 3, layer: 0, rowOffset: 0 })).toEqual(base);
      expect(await run({ seed: 8, pass: 3, layer: 0, rowOffset: 0 })).not.toEqual(base);
      expect(await run({ seed: 7, pass: 4, layer: 0, rowOffset: 0 })).not.toEqual(base);
    }));
  });
}

export interface ShotConformanceOptions {
  /** Independent units per probability (rows of the test register). Default 400. */
  readonly samples?: number;
  /** Allowed systematic deviation of a frequency from the noise-free probability (device noise). Default 0. */
  readonly bias?: number;
}

/**
 * The shots tier, for qubit layers that sample by executing circuits: outcome frequencies of one
 * layer, and of a second layer fed the carried (partially collapsed) state, against the exact
 * probabilities. Tolerance per frequency: 4.89 binomial standard errors of `samples` shots (a
 * false-alarm rate of 1e-6 per check) plus `bias`.
 */
export function shotQubitConformance(name: string, makeMachine: () => Machine, options: ShotConformanceOptions = {}): void {
  const samples = options.samples ?? 400;
  const bias = options.bias ?? 0;
  describe(`shot qubit tier: ${name}`, () => {
    const withMachine = using(makeMachine, (m) => m.dense.dispose());
    const within = (freq: number, p: number) => Math.abs(freq - p) <= Z_FALSE_ALARM * Math.sqrt((p * (1 - p)) / samples) + bias + 1e-12;

    it("declares shot sampling with a qubit and unit budget", withMachine((m) => {
      const caps = m.qubits.capabilities;
      expect(caps.sampling).toBe("shots");
      if (caps.sampling !== "shots") return;
      expect(caps.maxQubits).toBeGreaterThanOrEqual(1);
      expect(caps.unitsPerCall).toBeGreaterThanOrEqual(1);
    }));

    const zValues = [-2, -0.4, 0, 0.3, 1.5];
    const cases: Array<[string, NeuronParams]> = [
      ["Model 1 a=0.5 tanh", { a: 0.5, g: HALF_PI, activation: "tanh" }],
      ["Model 1 a=1 htanh", { a: 1, g: HALF_PI, activation: "htanh" }],
      ["Model 2 a=0.3 g=0.7", { a: 0.3, g: 0.7, activation: "tanh" }],
    ];
    for (const [label, params] of cases) {
      it(`one layer's outcome frequencies match P(+1) (${label}, ${samples} shots per value)`, withMachine(async (m) => {
        const rows = samples, cols = zValues.length;
        const zArr = new Float32Array(rows * cols);
        for (let r = 0; r < rows; r++) zArr.set(zValues, r * cols);
        const z = m.dense.tensor(rows, cols), d = m.dense.tensor(rows, cols), q = m.qubits.qubitRegister(rows, cols);
        m.dense.write(z, zArr);
        m.qubits.resetQubits(q, rows);
        await layerCall(m, z, q, d, firstOfTwo(params), { seed: 1, pass: 1, layer: 0, rowOffset: 0 }, rows);
        const out = await m.dense.read(d);
        zValues.forEach((zv, j) => {
          let plus = 0;
          for (let r = 0; r < rows; r++) {
            expect(Math.abs(out[r * cols + j])).toBe(1);
            if (out[r * cols + j] === 1) plus++;
          }
          expect(within(plus / rows, probPlus(HALF_PI * (1 - target(zv, params.a, params.activation)), params.g))).toBe(true);
        });
      }));
    }

    it(`a second layer sees the carried state (Model 2 g=1.2, ${samples} shots per value)`, withMachine(async (m) => {
      // Exact marginal of the second outcome: sum over the first outcome of P(m1) P(m2 | m1, carried angle).
      // At g = 1.2 a layer that skipped the back-action would be off by about 20 standard errors at 200 shots.
      const params: NeuronParams = { a: 0.4, g: 1.2, activation: "tanh" };
      const z1 = 0.2, z2Values = [-0.8, 0.1, 0.9];
      const expected = z2Values.map((z2) => {
        const al1 = HALF_PI * (1 - target(z1, params.a, params.activation));
        const p1 = probPlus(al1, params.g);
        let p = 0;
        for (const m1 of [1, -1] as const) {
          const carried = backAction(al1, m1, params.g) + HALF_PI * (m1 - target(z2, params.a, params.activation));
          p += (m1 === 1 ? p1 : 1 - p1) * probPlus(carried, params.g);
        }
        return p;
      });
      const rows = samples, cols = z2Values.length;
      const z = m.dense.tensor(rows, cols), d = m.dense.tensor(rows, cols), q = m.qubits.qubitRegister(rows, cols);
      m.qubits.resetQubits(q, rows);
      m.dense.write(z, new Float32Array(rows * cols).fill(z1));
      await layerCall(m, z, q, d, neuronLayerParams(params, 0, 3), { seed: 1, pass: 1, layer: 0, rowOffset: 0 }, rows);
      const z2Arr = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) z2Arr.set(z2Values, r * cols);
      m.dense.write(z, z2Arr);
      await layerCall(m, z, q, d, neuronLayerParams(params, 1, 3), { seed: 1, pass: 1, layer: 1, rowOffset: 0 }, rows);
      const out = await m.dense.read(d);
      expected.forEach((p, j) => {
        let plus = 0;
        for (let r = 0; r < rows; r++) if (out[r * cols + j] === 1) plus++;
        expect(within(plus / rows, p)).toBe(true);
      });
    }));
  });
}
export { threadConformance, type ThreadConformanceOptions } from "./conformance-threads.js";
