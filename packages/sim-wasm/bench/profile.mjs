// Development profile: time spent in each Backend method during one epoch and one evaluation.
//   node packages/sim-wasm/bench/profile.mjs [sim-wasm|sim-cpu] [--threads N] [--g G]
import { SgdTrainer } from "../../core/dist/index.js";
import { loadMnistSubset } from "../../datasets/dist/index.js";
import { BENCH_NETWORK } from "../../cli/dist/bench.js";

const args = process.argv.slice(2);
const name = args.find((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1].startsWith("--"))) ?? "sim-wasm";
const ti = args.indexOf("--threads");
const threads = ti >= 0 ? Number(args[ti + 1]) : undefined;
const gi = args.indexOf("--g");
// --g G: Model 2 (entanglement angle G) instead of the bench's Model 1.
const network = gi >= 0 ? { ...BENCH_NETWORK, neuron: { ...BENCH_NETWORK.neuron, g: Number(args[gi + 1]) } } : BENCH_NETWORK;
const be = name === "sim-cpu" ? new (await import("../../sim-cpu/dist/index.js")).CpuBackend() : new (await import("../dist/index.js")).WasmBackend(threads ? { threads } : {});
if (be.waitForThreads) be.waitForThreads();
const stats = new Map();
const prof = new Proxy(be, {
  get(target, prop) {
    const v = target[prop];
    if (typeof v !== "function") return v;
    return (...a) => {
      const key = prop === "linear" ? `linear(${a[0].cols}->${a[1].rows}${a[5] ? ",sign" : ""})` : prop === "linearBackward" ? `linearBackward(${a[1].cols}->${a[2].rows}${a[3] ? ",dX" : ""})` : String(prop);
      const t0 = performance.now(), c0 = process.cpuUsage();
      const r = v.apply(target, a);
      const c = process.cpuUsage(c0);
      const s = stats.get(key) ?? { ms: 0, cpu: 0, calls: 0 };
      s.ms += performance.now() - t0; s.cpu += (c.user + c.system) / 1000; s.calls++;
      stats.set(key, s);
      return r;
    };
  },
});
const data = loadMnistSubset({ trainSize: 5000, testSize: 5000 });
const trainer = new SgdTrainer(prof);
const training = { epochs: 1, batch: 64, lr: 0.01, momentum: 0.9, shots: 15, seed: 1 };
const show = (title, total) => {
  console.log(`${title}: ${total.toFixed(3)} s`);
  for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) console.log(`  ${k.padEnd(34)} ${s.ms.toFixed(1).padStart(8)} ms wall ${s.cpu.toFixed(1).padStart(8)} ms cpu ${String(s.calls).padStart(6)} calls`);
  stats.clear();
};
await trainer.train({ network, training, dataset: data, evaluateEachEpoch: false }); // warm-up
stats.clear();
const r = await trainer.train({ network, training: { ...training, seed: 2 }, dataset: data, evaluateEachEpoch: false });
show("epoch", r.history[0].seconds);
const t0 = performance.now();
const ev = trainer.evaluate({ network, weights: r.weights, split: data.test, shots: 15, seed: 3 });
show(`eval 15 shots (1-shot err ${ev.oneShot.error.toFixed(4)}, 15-shot ${ev.kShot.error.toFixed(4)})`, (performance.now() - t0) / 1000);
console.log("sign-input rows", be.stats ?? "-");
be.dispose();
