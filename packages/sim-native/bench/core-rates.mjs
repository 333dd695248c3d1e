// Development experiment: how fast two threads could be, against how fast they are. The same
// sign-input product (512 -> 512, rows of +1/-1, no incremental updates) is timed on 1 thread pinned
// to core 0, on 1 thread pinned to core 1 (taskset), and on 2 threads, in rounds one after the
// other. A job that splits perfectly would take 1 / (1/t0 + 1/t1) on two threads; the ratio to
// 1 thread that this allows depends on which core the 1-thread run gets: t / t0 or t / t1.
//   node packages/sim-native/bench/core-rates.mjs [--rounds N] [--rows N]
// Needs taskset (util-linux) and two cores.
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const flag = (f, d) => (args.includes(f) ? Number(args[args.indexOf(f) + 1]) : d);
const rows = flag("--rows", 1000);

if (args.includes("--child")) {
  // One measurement: the median of 200 calls after 30 warm-up calls, in milliseconds.
  const { NativeBackend } = await import("../dist/index.js");
  const be = new NativeBackend({ threads: flag("--threads", 1), incremental: false });
  const values = (n, s) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + s) * 0.05);
  const tensor = (r, c, v) => {
    const t = be.tensor(r, c);
    if (v) be.write(t, v);
    return t;
  };
  const d = tensor(rows, 512, values(rows * 512, 1).map((v) => (v > 0 ? 1 : -1)));
  const w = tensor(512, 512, values(512 * 512, 3));
  const y = tensor(rows, 512);
  const times = [];
  for (let i = 0; i < 230; i++) {
    const t0 = performance.now();
    be.linear(d, w, null, y, rows, true);
    if (i >= 30) times.push(performance.now() - t0);
  }
  be.dispose();
  times.sort((a, b) => a - b);
  console.log(times[times.length >> 1]);
} else {
  if (availableParallelism() < 2) {
    console.error("core-rates: needs two cores; this machine has one");
    process.exit(1);
  }
  const self = fileURLToPath(import.meta.url);
  // One measurement in a child process: on 1 thread pinned to `core`, or (core null) on 2 threads.
  const run = (core) => {
    const child = [self, "--child", "--threads", core === null ? "2" : "1", "--rows", String(rows)];
    const [command, argv] = core === null ? [process.execPath, child] : ["taskset", ["-c", String(core), process.execPath, ...child]];
    try {
      return Number(execFileSync(command, argv, { encoding: "utf8" }).trim());
    } catch (e) {
      const what = core === null ? "the 2-thread run failed" : `the run pinned to core ${core} failed (is taskset of util-linux installed?)`;
      console.error(`core-rates: ${what}: ${e.message.split("\n")[0]}`);
      process.exit(1);
    }
  };
  console.log(`512 -> 512 sign product of ${rows} rows, median ms of 200 calls:`);
  console.log("round   core 0   core 1   2 threads   perfect split   2 threads / core 0   / core 1   perfect / core 0   / core 1");
  for (let r = 1; r <= flag("--rounds", 5); r++) {
    const t0 = run(0);
    const t1 = run(1);
    const t2 = run(null);
    const perfect = 1 / (1 / t0 + 1 / t1);
    const f = (x) => x.toFixed(3).padStart(8);
    const x = (v) => `${v.toFixed(2)}x`.padStart(8);
    console.log(`${String(r).padStart(5)} ${f(t0)} ${f(t1)} ${f(t2).padStart(11)} ${f(perfect).padStart(15)} ${x(t2 / t0).padStart(20)} ${x(t2 / t1).padStart(10)} ${x(perfect / t0).padStart(18)} ${x(perfect / t1).padStart(10)}`);
  }
}
