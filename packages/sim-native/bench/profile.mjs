// Development profile: where an epoch's and a 15-shot evaluation's time goes, per Backend method
// and per layer (the shapes name the layer), for sim-native or sim-wasm.
//   node packages/sim-native/bench/profile.mjs [sim-native|sim-wasm] [--threads N] [--g G]
// Needs the built packages. --g G: Model 2 (entanglement angle G) instead of the bench's Model 1.
import { SgdTrainer } from "../../core/dist/index.js";
import { loadMnistSubset } from "../../datasets/dist/index.js";
import { BENCH_NETWORK } from "../../cli/dist/bench.js";

const args = process.argv.slice(2);
const name = args.find((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1].startsWith("--"))) ?? "sim-native";
const flag = (f) => (args.indexOf(f) >= 0 ? Number(args[args.indexOf(f) + 1]) : undefined);
const threads = flag("--threads");
const g = flag("--g");
const network = g === undefined ? BENCH_NETWORK : { ...BENCH_NETWORK, neuron: { ...BENCH_NETWORK.neuron, g } };
const options = { ...(threads ? { threads } : {}), profile: true };
const be = name === "sim-wasm" ? new (await import("../../sim-wasm/dist/index.js")).WasmBackend(options) : new (await import("../dist/index.js")).NativeBackend(options);
be.waitForThreads?.();
const stats = new Map();
const key = (prop, a) =>
  prop === "linear" ? `linear ${a[0].cols}->${a[1].rows}${a[5] ? " sign" : ""}`
  : prop === "linearBackward" ? `linearBackward ${a[1].cols}->${a[2].rows}${a[3] ? " +dX" : ""}`
  : prop === "neuronLayer" ? `neuronLayer ${a[2].cols} g=${a[3].g.toFixed(2)}`
  : String(prop);
const prof = new Proxy(be, {
  get(target, prop) {
    const v = target[prop];
    if (typeof v !== "function") return v;
    return (...a) => {
      const t0 = performance.now();
      const r = v.apply(target, a);
      const k = key(prop, a);
      const s = stats.get(k) ?? { ms: 0, calls: 0 };
      s.ms += performance.now() - t0;
      s.calls++;
      stats.set(k, s);
      return r;
    };
  },
});
const data = loadMnistSubset({ trainSize: 5000, testSize: 5000 });
const trainer = new SgdTrainer(prof);
const training = { epochs: 1, batch: 64, lr: 0.01, momentum: 0.9, shots: 15, seed: 1 };
const show = (title, total) => {
  const sum = [...stats.values()].reduce((s, x) => s + x.ms, 0);
  console.log(`${title}: ${total.toFixed(3)} s (${(sum / 1000).toFixed(3)} s in backend calls)`);
  for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) console.log(`  ${k.padEnd(30)} ${s.ms.toFixed(1).padStart(8)} ms ${String(s.calls).padStart(6)} calls`);
  stats.clear();
  if (be.kernelTimes) {
    for (const [k, t] of [...be.kernelTimes].sort((a, b) => b[1].wallMs - a[1].wallMs)) console.log(`    kernel ${k.padEnd(20)} ${t.wallMs.toFixed(1).padStart(8)} ms wall ${t.cpuMs.toFixed(1).padStart(8)} ms cpu ${String(t.calls).padStart(6)} calls`);
    be.kernelTimes.clear();
  }
};
console.log(`${name} [${be.isa ?? "wasm"}] threads ${be.capabilities.threads}${g === undefined ? "" : `, g = ${g}`}`);
await trainer.train({ network, training, dataset: data, evaluateEachEpoch: false }); // warm-up
stats.clear();
be.kernelTimes?.clear();
const r = await trainer.train({ network, training: { ...training, seed: 2 }, dataset: data, evaluateEachEpoch: false });
show("epoch", r.history[0].seconds);
const t0 = performance.now();
const ev = await trainer.evaluate({ network, weights: r.weights, split: data.test, shots: 15, seed: 3 });
show(`eval 15 shots (1-shot error ${ev.oneShot.error.toFixed(4)}, 15-shot ${ev.kShot.error.toFixed(4)})`, (performance.now() - t0) / 1000);
console.log("sign-input rows", be.stats);
be.dispose();
