// Development benchmark: sim-cpu and sim-wasm side by side, each in its own process so peak RSS
// is per backend. Needs the built packages (pnpm -r build, or nx run-many -t build).
//
//   node packages/sim-wasm/bench/run.mjs [sim-cpu|sim-wasm ...] [--threads N] [--reps N] [--warmup N]
//
// The timing itself is runBench of packages/cli/src/bench.ts (the code behind `nq bench`).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const names = args.filter((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1].startsWith("--")));
const threads = flag("--threads", undefined);
const repetitions = flag("--reps", 3);
const warmup = flag("--warmup", 1);

if (names.length === 1) {
  const { runBench, formatBench } = await import("../../cli/dist/bench.js");
  let backend;
  if (names[0] === "sim-cpu") backend = new (await import("../../sim-cpu/dist/index.js")).CpuBackend();
  else if (names[0] === "sim-wasm") backend = new (await import("../dist/index.js")).WasmBackend(threads ? { threads } : {});
  else throw new Error(`unknown backend ${names[0]}`);
  const r = await runBench({ backend, repetitions, warmup });
  backend.dispose();
  console.log(formatBench(r) + (names[0] === "sim-wasm" ? ` [threads ${backend.capabilities.threads}]` : ""));
  console.log(JSON.stringify(r));
} else {
  for (const name of names.length ? names : ["sim-cpu", "sim-wasm"]) {
    const extra = args.filter((a) => a.startsWith("--")).flatMap((a) => [a, String(flag(a))]);
    const res = spawnSync(process.execPath, [fileURLToPath(import.meta.url), name, ...extra], { stdio: "inherit" });
    if (res.status !== 0) process.exitCode = 1;
  }
}
