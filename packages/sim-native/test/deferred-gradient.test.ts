import { HALF_PI, neuronLayerParams, type Tensor } from "@natural-quantization/core";
import { afterAll, describe, expect, it } from "vitest";
import { NativeBackend } from "../src/index.js";

// linearBackward defers a weight gradient to sgdStep, which computes it row by row together with
// the update (the gradientStep kernel). These tests compare that fused path with the gradient
// computed on its own (forced by reading it) followed by the update: the bits must be the same.

const backends = [new NativeBackend({ threads: 1 }), new NativeBackend({ threads: 2 })];
afterAll(() => backends.forEach((be) => be.dispose()));

const values = (n: number, seed: number, zeroEvery = 0) =>
  Float32Array.from({ length: n }, (_, i) => (zeroEvery && i % zeroEvery === 0 ? 0 : Math.sin(i * 1.618 + seed) * 0.1));

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

type Case = "first layer (sparse input, no dX)" | "+1/-1 input from a neuron layer" | "real input with dX";
const CASES: Case[] = ["first layer (sparse input, no dX)", "+1/-1 input from a neuron layer", "real input with dX"];

/**
 * Two steps of one layer (n rows, K inputs, out outputs); `between` runs after each
 * linearBackward and before sgdStep. Returns the weight and velocity after the steps.
 */
function train(be: NativeBackend, c: Case, between: (t: { dy: Tensor; x: Tensor; dw: Tensor }) => void) {
  const n = 37, K = 300, out = 70;
  const t = (rows: number, cols: number, data?: Float32Array) => {
    const x = be.tensor(rows, cols);
    if (data) be.write(x, data);
    return x;
  };
  const w = t(out, K, values(out * K, 1)), v = t(out, K), dw = t(out, K), y = t(n, out);
  const dy = t(n, out, values(n * out, 2, 3));
  const dx = c === "first layer (sparse input, no dX)" ? null : t(n, K);
  let x: Tensor;
  if (c === "+1/-1 input from a neuron layer") {
    x = t(n, K);
    const q = be.qubitRegister(n, K);
    const params = neuronLayerParams({ a: 0.5, g: HALF_PI, activation: "tanh" }, 0, 1);
    be.neuronLayer(t(n, K, values(n * K, 3)), q, x, params, { seed: 7, pass: 0, layer: 0, rowOffset: 0 }, n);
  } else x = t(n, K, values(n * K, 4, c === "first layer (sparse input, no dX)" ? 2 : 0));
  for (let step = 0; step < 2; step++) {
    be.linear(x, w, null, y, n, c === "+1/-1 input from a neuron layer");
    be.linearBackward(dy, x, w, dx, dw, null, n);
    between({ dy, x, dw });
    be.sgdStep(w, dw, v, 0.05, 0.9);
  }
  return { w: be.readSync(w), v: be.readSync(v) };
}

describe("sim-native: a weight gradient computed within sgdStep", () => {
  for (const be of backends) {
    for (const c of CASES) {
      it(`${c}, ${be.capabilities.threads} thread(s): the same weights and velocities as the gradient computed first`, () => {
        const fused = train(be, c, () => {});
        const separate = train(be, c, ({ dw }) => void be.readSync(dw));
        expect(bits(fused.w)).toEqual(bits(separate.w));
        expect(bits(fused.v)).toEqual(bits(separate.v));
        // The update did happen.
        expect(bits(fused.w)).not.toEqual(bits(values(fused.w.length, 1)));
      });
    }
  }

  it("a write to dY or x before sgdStep does not reach the deferred gradient", () => {
    const be = backends[1];
    for (const c of CASES) {
      const separate = train(be, c, ({ dw }) => void be.readSync(dw));
      // The gradient of the values before the write, as if it had been computed at once.
      const overwritten = train(be, c, ({ dy, x }) => {
        be.write(dy, values(37 * 70, 9));
        if (c !== "+1/-1 input from a neuron layer") be.write(x, values(37 * 300, 8));
      });
      const expected = train(be, c, ({ dw, dy, x }) => {
        be.readSync(dw);
        be.write(dy, values(37 * 70, 9));
        if (c !== "+1/-1 input from a neuron layer") be.write(x, values(37 * 300, 8));
      });
      expect(bits(overwritten.w)).toEqual(bits(expected.w));
      expect(bits(overwritten.w)).not.toEqual(bits(separate.w));
    }
  });
});
