// Development experiment: several trainings of the bench's network (Model 1 a = 0.5, 5,000 images,
// batch 64) in one process, one after the other, printing every epoch's seconds and the time of
// each training's first step. `nq bench` times the first epoch of a fresh training; this shows
// how that epoch compares with later ones, on 1 or 2 threads.
//   node packages/sim-native/bench/epochs.mjs [--threads N] [--trainings T] [--epochs E]
import { SgdTrainer } from "../../core/dist/index.js";
import { loadMnistSubset } from "../../datasets/dist/index.js";
import { BENCH_NETWORK } from "../../cli/dist/bench.js";
import { NativeBackend } from "../dist/index.js";

const args = process.argv.slice(2);
const flag = (f, d) => (args.includes(f) ? Number(args[args.indexOf(f) + 1]) : d);
const threads = flag("--threads", 2), trainings = flag("--trainings", 4), epochs = flag("--epochs", 3);
const be = new NativeBackend({ threads });
const data = loadMnistSubset({ trainSize: 5000, testSize: 5000 });
let start = 0, firstStep = 0;
const progress = {
  report(e) {
    if (e.kind === "start") start = performance.now();
    else if (e.kind === "batch" && e.epoch === 0 && e.batch === 1) firstStep = performance.now() - start;
  },
};
const trainer = new SgdTrainer(be, progress);
console.log(`threads ${threads}: seconds per epoch, each training's first step`);
for (let t = 0; t < trainings; t++) {
  const training = { epochs, batch: 64, lr: 0.01, momentum: 0.9, shots: 15, seed: 1 + t };
  const r = await trainer.train({ network: BENCH_NETWORK, training, dataset: data, evaluateEachEpoch: false });
  console.log(`training ${t + 1}: ${r.history.map((h) => h.seconds.toFixed(3)).join(" ")}  (first step ${firstStep.toFixed(1)} ms)`);
}
be.dispose();
