// The XNNPACK matmul of @tensorflow/tfjs-backend-wasm on the products of one training step and one
// evaluation chunk of the paper network, for comparison with bench/kernels.mjs. tfjs is not a
// dependency of this package; run from a scratch directory:
//   npm i @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0
//   node /path/to/tfjs-matmul.mjs [threads]
import * as tf from "@tensorflow/tfjs-core";
import { setWasmPaths, setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import path from "node:path";
const dir = path.resolve("node_modules/@tensorflow/tfjs-backend-wasm/dist") + "/";
setWasmPaths(dir);
const threads = Number(process.argv[2] ?? 1);
setThreadsCount(threads);
await tf.setBackend("wasm");
await tf.ready();
console.log("backend", tf.getBackend(), "threads", threads);
function time(label, M, K, N, reps) {
  const a = tf.randomNormal([M, K]); const b = tf.randomNormal([K, N]);
  for (let i = 0; i < 3; i++) tf.matMul(a, b).dataSync();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) { const c = tf.matMul(a, b); c.dataSync(); c.dispose(); }
  const s = (performance.now() - t0) / 1000 / reps;
  console.log(label.padEnd(14), `${M}x${K}x${N}`.padEnd(12), (s * 1e3).toFixed(3), "ms", (2 * M * K * N / s / 1e9).toFixed(2), "GFLOP/s (dense)");
}
time("fwd L1", 64, 784, 512, 200);
time("fwd L2", 64, 512, 512, 200);
time("dW L2 (K=64)", 512, 64, 512, 200);
time("eval L2", 1000, 512, 512, 30);
