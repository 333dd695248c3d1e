// Development experiment: the calls of one training step of a 512x512 +1/-1 layer in the order the
// Trainer makes them (neuron layer, forward product, backward with input gradient, update), each
// timed, averaged over 1,900 steps after 100 warm-up steps. sim-native computes the weight gradient
// within the update (sgdStep), so "backward" is the input gradient alone. With --no-forward the
// forward product is left out, which shows what the forward product costs the update after it.
//   node packages/sim-native/bench/sequence.mjs [--threads N] [--no-forward]
import { HALF_PI, neuronLayerParams } from "../../core/dist/index.js";
import { NativeBackend } from "../dist/index.js";

const args = process.argv.slice(2);
const threads = args.includes("--threads") ? Number(args[args.indexOf("--threads") + 1]) : 1;
const forward = !args.includes("--no-forward");
const be = new NativeBackend({ threads });
const rnd = (n, s) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + s) * 0.05);
const T = (r, c, v) => { const t = be.tensor(r, c); if (v) be.write(t, v); return t; };
const n = 64;
const z = T(n, 512, rnd(n * 512, 9)), d = T(n, 512), w = T(512, 512, rnd(512 * 512, 3)), y = T(n, 512);
const q = be.qubitRegister(n, 512);
const dy = T(n, 512, rnd(n * 512, 4).map((v, i) => (i % 3 ? v : 0))), dx = T(n, 512), dw = T(512, 512), vw = T(512, 512);
const params = neuronLayerParams({ a: 0.5, g: HALF_PI, activation: "tanh" }, 0, 1);
const sum = { neuronLayer: 0, forward: 0, backward: 0, sgdStep: 0 };
const STEPS = 2000, WARM = 100;
for (let step = 0; step < STEPS; step++) {
  const t0 = performance.now();
  be.resetQubits(q, n);
  be.neuronLayer(z, q, d, params, { seed: 1, pass: step, layer: 0, rowOffset: 0 }, n);
  const t1 = performance.now();
  if (forward) be.linear(d, w, null, y, n, true);
  const t2 = performance.now();
  be.linearBackward(dy, d, w, dx, dw, null, n);
  const t3 = performance.now();
  be.sgdStep(w, dw, vw, 0.01, 0.9);
  const t4 = performance.now();
  if (step < WARM) continue;
  sum.neuronLayer += t1 - t0;
  sum.forward += t2 - t1;
  sum.backward += t3 - t2;
  sum.sgdStep += t4 - t3;
}
const per = (ms) => `${((ms / (STEPS - WARM)) * 1000).toFixed(0)} us`;
console.log(`threads ${threads}${forward ? "" : ", no forward product"}: ${Object.entries(sum).map(([k, v]) => `${k} ${per(v)}`).join(", ")}`);
be.dispose();
