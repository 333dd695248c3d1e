#!/usr/bin/env node
// Before and after in one run: times `nq bench --in-process` of two builds of the CLI (two
// checkouts), interleaved round by round so that both see the same machine, and prints each
// one's median epoch and 15-shot evaluation and the ratio after/before.
//   node scripts/bench-compare.mjs BEFORE/packages/cli/dist/bin.js AFTER/packages/cli/dist/bin.js [rounds] [-- bench options]
import { execFileSync } from "node:child_process";

const [before, after, roundsArg = "5", ...rest] = process.argv.slice(2);
if (!before || !after) {
  console.error("usage: node scripts/bench-compare.mjs BEFORE_BIN AFTER_BIN [rounds] [-- bench options]");
  process.exit(2);
}
const rounds = Number(roundsArg);
const extra = rest[0] === "--" ? rest.slice(1) : rest;
const bench = (bin) =>
  JSON.parse(execFileSync(process.execPath, [bin, "bench", "--in-process", "--backend", "sim-wasm", "--repetitions", "3", "--warmup", "1", ...extra], { encoding: "utf8" }).trim().split("\n").at(-1));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const runs = { before: [], after: [] };
for (let r = 0; r < rounds; r++) {
  for (const [name, bin] of r % 2 ? [["after", after], ["before", before]] : [["before", before], ["after", after]]) {
    const x = bench(bin);
    runs[name].push(x);
    console.error(`round ${r + 1} ${name}: epoch ${x.epochSeconds.toFixed(3)} s, eval ${x.evalSeconds.toFixed(3)} s, threads ${x.threads}`);
  }
}
const summary = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, { epochSeconds: median(v.map((x) => x.epochSeconds)), evalSeconds: median(v.map((x) => x.evalSeconds)), threads: v[0].threads }]));
summary.ratio = { epoch: summary.after.epochSeconds / summary.before.epochSeconds, eval: summary.after.evalSeconds / summary.before.evalSeconds };
console.log(JSON.stringify(summary));
