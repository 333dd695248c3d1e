// Development micro-benchmark: the shapes of the paper network's hot calls, each the fastest of
// many repetitions (the minimum is robust to other processes taking the core now and then).
//   node packages/sim-native/bench/kernels.mjs [sim-native|sim-wasm] [--threads N]
import { HALF_PI, neuronLayerParams } from "../../core/dist/index.js";
import { loadMnistSubset } from "../../datasets/dist/index.js";

const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith("--") && !/^\d+$/.test(a)) ?? "sim-native";
const ti = args.indexOf("--threads");
const threads = ti >= 0 ? Number(args[ti + 1]) : 1;
const be = name === "sim-wasm" ? new (await import("../../sim-wasm/dist/index.js")).WasmBackend({ threads }) : new (await import("../dist/index.js")).NativeBackend({ threads });
be.waitForThreads?.();
const data = loadMnistSubset({ trainSize: 1000, testSize: 10 });
const rnd = (n, s) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + s) * 0.05);
const sign = (n, s) => Float32Array.from({ length: n }, (_, i) => (Math.sin(i * 78.233 + s) > 0 ? 1 : -1));
function time(label, fn, reps = 15) {
  fn();
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  console.log(`${label.padEnd(44)} ${best.toFixed(3).padStart(8)} ms`);
}
const T = (r, c, v) => { const t = be.tensor(r, c); if (v) be.write(t, v); return t; };
for (const n of [64, 1000]) {
  const x = T(n, 784, data.train.x.subarray(0, n * 784)), w1 = T(512, 784, rnd(512 * 784, 1)), z = T(n, 512);
  const d = T(n, 512, sign(n * 512, 2)), w2 = T(512, 512, rnd(512 * 512, 3)), z2 = T(n, 512);
  const q = be.qubitRegister(n, 512);
  time(`linear 784->512 (sparse pixels), n=${n}`, () => be.linear(x, w1, null, z, n));
  const signs = [sign(n * 512, 5), sign(n * 512, 6)];
  let flip = 0;
  // Alternating inputs that differ in half their entries: the full (not incremental) path.
  time(`linear 512->512 sign, n=${n}`, () => { be.write(d, signs[flip ^= 1]); be.linear(d, w2, null, z2, n, true); });
  for (const g of [HALF_PI, 0.9]) {
    const p = neuronLayerParams({ a: 0.5, g, activation: "tanh" }, 0, 2);
    time(`neuronLayer 512, g=${g.toFixed(2)}, n=${n}`, () => { be.resetQubits(q, n); be.neuronLayer(z, q, d, p, { seed: 1, pass: 2, layer: 0, rowOffset: 0 }, n); });
  }
  if (n === 64) {
    const dy = T(n, 512, rnd(n * 512, 4).map((v, i) => (i % 3 ? v : 0))), dx = T(n, 512), dw = T(512, 512), vw = T(512, 512);
    be.neuronLayer(z, q, d, neuronLayerParams({ a: 0, g: HALF_PI, activation: "tanh" }, 0, 1), { seed: 1, pass: 1, layer: 0, rowOffset: 0 }, n);
    // As in training: after the first update the weight takes its gradient's layout (W^T). The
    // backward pass and the update are timed together: sim-native computes the weight gradient
    // within sgdStep.
    be.linearBackward(dy, d, w2, dx, dw, null, n);
    be.sgdStep(w2, dw, vw, 0, 0);
    time("backward + update 512->512 +dX, n=64", () => { be.linearBackward(dy, d, w2, dx, dw, null, n); be.sgdStep(w2, dw, vw, 0, 0); });
    const dw1 = T(512, 784), vw1 = T(512, 784), dy1 = T(n, 512, rnd(n * 512, 5));
    time("backward + update 784->512 (first layer)", () => { be.linearBackward(dy1, x, w1, null, dw1, null, n); be.sgdStep(w1, dw1, vw1, 0, 0); });
  }
}
be.dispose();
