#!/usr/bin/env node
// Times two builds of this repository against each other, interleaved in one run, so that a
// refactor can show the simulators' speed is unchanged: round by round, `nq bench --in-process`
// of the BEFORE checkout, then of the AFTER one (each in its own process, same backend, threads
// and sizes), and the medians of each side with their ratio.
//
//   node scripts/bench-builds.mjs --before /tmp/nq-before --after . --backend sim-wasm --rounds 5 [--threads 2] [--g 0.9]
//
// Each checkout must be built (`pnpm run build`). Prints one line a round on stderr and a JSON
// summary on stdout.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    before: { type: "string" },
    after: { type: "string", default: "." },
    backend: { type: "string", default: "sim-wasm" },
    rounds: { type: "string", default: "5" },
    threads: { type: "string" },
    g: { type: "string" },
  },
});
if (!values.before) {
  console.error("bench-builds: give --before DIR (a built checkout of the code to compare against)");
  process.exit(2);
}
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`bench-builds: invalid rounds: ${values.rounds} (allowed: an integer >= 1)`);
  process.exit(2);
}

const sides = { before: resolve(values.before), after: resolve(values.after) };
const args = ["bench", "--in-process", "--backend", values.backend, "--repetitions", "1", "--warmup", "0"];
if (values.threads) args.push("--threads", values.threads);
if (values.g) args.push("--g", values.g);

function runOnce(root) {
  const r = spawnSync(process.execPath, [resolve(root, "packages/cli/dist/bin.js"), ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`nq bench in ${root} failed (exit ${r.status}): ${r.stderr.trim().split("\n").at(-1)}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// One untimed run each first: page cache, JIT of the loaders.
for (const root of Object.values(sides)) runOnce(root);
const times = { before: { epoch: [], eval: [] }, after: { epoch: [], eval: [] } };
for (let round = 1; round <= rounds; round++) {
  for (const [side, root] of Object.entries(sides)) {
    const r = runOnce(root);
    times[side].epoch.push(r.epochSeconds);
    times[side].eval.push(r.evalSeconds);
    console.error(`round ${round}/${rounds} ${side.padEnd(6)} epoch ${r.epochSeconds.toFixed(3)} s  eval ${r.evalSeconds.toFixed(3)} s`);
  }
}
const summary = {
  backend: values.backend,
  threads: values.threads ?? "default",
  g: values.g ?? "pi/2",
  rounds,
  before: { root: sides.before, epochSeconds: median(times.before.epoch), evalSeconds: median(times.before.eval) },
  after: { root: sides.after, epochSeconds: median(times.after.epoch), evalSeconds: median(times.after.eval) },
};
summary.epochRatio = summary.after.epochSeconds / summary.before.epochSeconds;
summary.evalRatio = summary.after.evalSeconds / summary.before.evalSeconds;
console.error(`median of ${rounds}: epoch ${summary.before.epochSeconds.toFixed(3)} -> ${summary.after.epochSeconds.toFixed(3)} s (x${summary.epochRatio.toFixed(3)}), eval ${summary.before.evalSeconds.toFixed(3)} -> ${summary.after.evalSeconds.toFixed(3)} s (x${summary.evalRatio.toFixed(3)})`);
console.log(JSON.stringify(summary));
