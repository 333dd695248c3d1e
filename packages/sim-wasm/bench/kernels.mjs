// sim-wasm's kernels on the products of one training step and one evaluation chunk of the paper
// network (784-512-512-512-10, batch 64, eval chunk 1000), with MNIST inputs and realistic +1/-1
// activations and straight-through gradients. Compare with bench/tfjs-matmul.mjs.
//   node packages/sim-wasm/bench/kernels.mjs [--threads N]
import { HALF_PI, initWeights, PAPER_NETWORK } from "../../core/dist/index.js";
import { loadMnistSubset } from "../../datasets/dist/index.js";
import { WasmBackend } from "../dist/index.js";

const ti = process.argv.indexOf("--threads");
const be = new WasmBackend({ threads: ti > 0 ? Number(process.argv[ti + 1]) : 1 });
be.waitForThreads();
const data = loadMnistSubset({ trainSize: 1000, testSize: 10 });
const w = initWeights(PAPER_NETWORK, 1);
const tensor = (rows, cols, values) => { const t = be.tensor(rows, cols); if (values) be.write(t, values); return t; };
const W1 = tensor(512, 784, w[0].w), W2 = tensor(512, 512, w[1].w);
const time = (label, shape, flops, fn, reps) => {
  for (let i = 0; i < 5; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  const s = (performance.now() - t0) / 1000 / reps;
  console.log(label.padEnd(22), shape.padEnd(12), (s * 1e3).toFixed(3), "ms", (flops / s / 1e9).toFixed(2), "GFLOP/s (dense-equivalent)");
};
for (const rows of [64, 1000]) {
  const x = tensor(rows, 784, data.train.x.subarray(0, rows * 784));
  const z1 = tensor(rows, 512), d1 = tensor(rows, 512), z2 = tensor(rows, 512), q = be.qubits(rows, 512);
  be.linear(x, W1, null, z1, rows);
  be.resetQubits(q, rows);
  be.neuronLayer(z1, q, d1, { a: 0.5, g: HALF_PI, activation: "tanh" }, { seed: 1, pass: 1, layer: 0, rowOffset: 0 }, rows);
  if (rows === 64) {
    time("fwd L1 (sparse x)", "64x784x512", 2 * 64 * 784 * 512, () => be.linear(x, W1, null, z1, 64), 300);
    // A fresh sign input each call (no incremental update): alternate two batches of outcomes.
    const d1b = tensor(64, 512);
    be.resetQubits(q, 64);
    be.neuronLayer(z1, q, d1b, { a: 0.5, g: HALF_PI, activation: "tanh" }, { seed: 1, pass: 2, layer: 0, rowOffset: 0 }, 64);
    let flip = false;
    time("fwd L2 (+1/-1 input)", "64x512x512", 2 * 64 * 512 * 512, () => { flip = !flip; be.linear(flip ? d1 : d1b, W2, null, z2, 64, true); }, 300);
    // Backward of layer 2 with straight-through gradients of the real z2.
    const g = be.read(z2).map((v, i) => (Math.abs(v) < 1 ? Math.sin(i) * 1e-3 : 0));
    const dz = tensor(64, 512, g), dx = tensor(64, 512), dw = tensor(512, 512);
    time("dW L2 (+1/-1 input)", "512x64x512", 2 * 64 * 512 * 512, () => be.linearBackward(dz, d1, W2, null, dw, null, 64), 300);
    time("dW+dX L2", "2x 64x512x512", 4 * 64 * 512 * 512, () => be.linearBackward(dz, d1, W2, dx, dw, null, 64), 300);
    const dz1 = tensor(64, 512, be.read(z1).map((v, i) => (Math.abs(v) < 1 ? Math.sin(i) * 1e-3 : 0))), dw1 = tensor(512, 784);
    time("dW L1 (sparse x)", "512x64x784", 2 * 64 * 784 * 512, () => be.linearBackward(dz1, x, W1, null, dw1, null, 64), 300);
  } else {
    const d1b = tensor(rows, 512);
    be.resetQubits(q, rows);
    be.neuronLayer(z1, q, d1b, { a: 0.5, g: HALF_PI, activation: "tanh" }, { seed: 1, pass: 2, layer: 0, rowOffset: 0 }, rows);
    let flip = false;
    time("eval L2 (+1/-1 input)", "1000x512x512", 2 * rows * 512 * 512, () => { flip = !flip; be.linear(flip ? d1 : d1b, W2, null, z2, rows, true); }, 30);
    time("neuron layer a=0.5", "1000x512", 0, () => be.neuronLayer(z1, q, d1, { a: 0.5, g: HALF_PI, activation: "tanh" }, { seed: 1, pass: 3, layer: 0, rowOffset: 0 }, rows), 30);
  }
}
be.dispose();
