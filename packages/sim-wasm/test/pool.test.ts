import asc from "assemblyscript/asc";
import type { Worker } from "node:worker_threads";
import { beforeAll, describe, expect, it } from "vitest";
import { NeuronMode, instantiate, kernelModule, type KernelArgs, type KernelExports } from "../src/kernels.js";
import { Pool, nodeSpawnWorker, type SpawnWorker } from "../src/pool.js";

// A probe module in place of the real kernels, so the test sees which thread ran what. Its
// gemmSparse takes the real kernel's ten leading arguments (it uses two: where to count each
// element, and a scratch address whose thread must fail), then (scratch, r0, r1) like every
// scratch kernel: scratch is the calling thread's own area, so adding to it counts that thread's work.
const PROBE = `
export function gemmSparse(marks: i32, failScratch: i32, _2: i32, _3: i32, _4: i32, _5: i32, _6: i32, _7: i32, _8: i32, _9: i32,
                           scratch: i32, r0: i32, r1: i32): void {
  if (scratch == failScratch) unreachable();
  for (let i = r0; i < r1; i++) {
    atomic.add<i32>(marks + (i << 2), 1);
    atomic.add<i32>(scratch, 1);
    // Some work per element, so a chunk takes long enough for every thread to claim one.
    let x: f64 = <f64>i;
    for (let s = 0; s < 200; s++) x = x * 0.999 + 1.0;
    if (x < 0) unreachable();
  }
}
`;

const TOTAL = 20_000;
const MARKS = 64 * 1024; // byte address of the per-element counters
const SCRATCH = MARKS + TOTAL * 4; // one 64-byte line per thread after them

let probe: WebAssembly.Module;

beforeAll(async () => {
  const out = await asc.compileString({ "probe.ts": PROBE }, {
    optimizeLevel: 1, runtime: "stub", enable: ["threads"], importMemory: true, sharedMemory: true, initialMemory: 4, maximumMemory: 16,
  });
  if (out.error || !out.binary) throw new Error(`probe module did not compile: ${out.stderr.toString()}`);
  probe = new WebAssembly.Module(out.binary);
});

function probePool(threads: number, spawn: SpawnWorker = nodeSpawnWorker) {
  const memory = new WebAssembly.Memory({ initial: 4, maximum: 16, shared: true });
  const pool = new Pool(instantiate(probe, memory), probe, memory, threads, spawn);
  const scratch = Array.from({ length: threads }, (_, t) => SCRATCH + 64 * t);
  const ints = new Int32Array(memory.buffer);
  const run = (failScratch = -1) => {
    const args = [MARKS, failScratch, 0, 0, 0, 0, 0, 0, 0, 0] satisfies KernelArgs<"gemmSparse">;
    return pool.run("gemmSparse", args, TOTAL, 1, TOTAL * 1000, scratch);
  };
  const perThread = () => scratch.map((s) => ints[s >> 2]);
  const marks = () => ints.subarray(MARKS >> 2, (MARKS >> 2) + TOTAL);
  return { pool, run, scratch, perThread, marks };
}

describe("Pool", () => {
  it("runs every element exactly once and spreads the work over every thread", () => {
    const { pool, run, perThread, marks } = probePool(3);
    try {
      expect(pool.waitReady()).toBe(true);
      const jobs = 20;
      for (let j = 0; j < jobs; j++) run();
      expect(marks().every((c) => c === jobs)).toBe(true);
      const counts = perThread();
      expect(counts.reduce((s, c) => s + c, 0)).toBe(jobs * TOTAL);
      // Each thread starts on its own share of every job: all three must have done work.
      for (const c of counts) expect(c).toBeGreaterThan(0);
    } finally {
      pool.close();
    }
  });

  it("a kernel that fails on a worker thread fails the caller, and the pool goes on working", () => {
    const { pool, run, scratch, marks } = probePool(2);
    try {
      expect(pool.waitReady()).toBe(true);
      // The worker owns the second half of the job's chunks, so it runs (and fails) at least one
      // unless the main thread took them all first; a few tries make that impossible in practice.
      let error: unknown = null;
      for (let t = 0; t < 20 && error === null; t++) {
        try {
          run(scratch[1]);
        } catch (e) {
          error = e;
        }
      }
      expect(String(error)).toMatch(/kernel gemmSparse failed on a worker thread/);
      marks().fill(0);
      expect(() => run()).not.toThrow();
      expect(marks().every((c) => c === 1)).toBe(true);
    } finally {
      pool.close();
    }
  });

  it("a kernel that fails on the main thread throws its own error", () => {
    const { pool, run, scratch } = probePool(2);
    try {
      expect(pool.waitReady()).toBe(true);
      expect(() => run(scratch[0])).toThrow(/unreachable/);
    } finally {
      pool.close();
    }
  });

  it("close ends every worker", async () => {
    const workers: Worker[] = [];
    const spawn: SpawnWorker = (main, data, onError) => {
      const w = nodeSpawnWorker(main, data, onError) as Worker;
      workers.push(w);
      return w;
    };
    const { pool, run } = probePool(3, spawn);
    expect(pool.waitReady()).toBe(true);
    run();
    const exits = workers.map((w) => new Promise<number>((resolve) => w.once("exit", resolve)));
    pool.close();
    const ended = await Promise.race([Promise.all(exits).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
    expect(workers).toHaveLength(2);
    expect(ended).toBe(true);
    expect(pool.readyWorkers).toBe(0);
  });
});

describe("kernel dispatch", () => {
  it("the neuron modes named in TypeScript are the ones the kernels module exports", () => {
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 32768, shared: true });
    const k = instantiate(kernelModule(), memory) as KernelExports & Record<string, { value: number }>;
    for (const [name, value] of Object.entries(NeuronMode)) expect(k[`NeuronMode.${name}`].value, name).toBe(value);
  });
});
