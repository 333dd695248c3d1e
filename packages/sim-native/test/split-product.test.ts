import { HALF_PI, neuronLayerParams, type Tensor } from "@natural-quantization/core";
import { afterAll, describe, expect, it } from "vitest";
import { NativeBackend } from "../src/index.js";

// Forward products of training batches are split over k into groups whose sums are added at the
// end (sumGroups), so that each thread reads only the weight rows it updates. These tests check
// split and unsplit products against a float64 product, with and without bias, for +1/-1 and real
// inputs, and that the split is taken exactly where it should be.

const be = new NativeBackend({ threads: 2, profile: true });
afterAll(() => be.dispose());

const values = (n: number, seed: number, zeroEvery = 0) =>
  Float32Array.from({ length: n }, (_, i) => (zeroEvery && i % zeroEvery === 0 ? 0 : Math.sin(i * 1.618 + seed) * 0.1));

function tensor(rows: number, cols: number, data?: Float32Array): Tensor {
  const t = be.tensor(rows, cols);
  if (data) be.write(t, data);
  return t;
}

/** +1/-1 rows written by a neuron layer (so the backend may add instead of multiply). */
function signs(n: number, K: number): Tensor {
  const x = tensor(n, K);
  const params = neuronLayerParams({ a: 0.5, g: HALF_PI, activation: "tanh" }, 0, 1);
  be.neuronLayer(tensor(n, K, values(n * K, 3)), be.qubitRegister(n, K), x, params, { seed: 5, pass: 0, layer: 0, rowOffset: 0 }, n);
  return x;
}

const K = 512, out = 70;

describe("sim-native: forward products split over k", () => {
  for (const sign of [true, false]) {
    for (const n of [64, 300]) {
      for (const bias of [false, true]) {
        const split = n <= 256;
        it(`${sign ? "+1/-1" : "real"} input, ${n} rows${bias ? ", bias" : ""}: ${split ? "split" : "not split"}, and equal to a float64 product`, () => {
          const x = sign ? signs(n, K) : tensor(n, K, values(n * K, 4, 3));
          const ws = values(out * K, 1), bs = values(out, 2);
          const w = tensor(out, K, ws), b = bias ? tensor(1, out, bs) : null, y = tensor(n, out);
          be.kernelTimes!.clear();
          be.linear(x, w, b, y, n, sign);
          expect(be.kernelTimes!.get("sumGroups")?.calls ?? 0).toBe(split ? 1 : 0);
          const xs = be.readSync(x), got = be.readSync(y);
          let worst = 0;
          for (let i = 0; i < n; i++) {
            for (let o = 0; o < out; o++) {
              let s = bias ? bs[o] : 0, scale = Math.abs(s);
              for (let k = 0; k < K; k++) {
                s += xs[i * K + k] * ws[o * K + k];
                scale += Math.abs(xs[i * K + k] * ws[o * K + k]);
              }
              worst = Math.max(worst, Math.abs(got[i * out + o] - s) / scale);
            }
          }
          // float32 sums of 512 terms: relative to the sum of the terms' sizes, well below 1e-5.
          expect(worst).toBeLessThan(1e-5);
        });
      }
    }
  }
});
