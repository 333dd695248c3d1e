import { PARALLEL_KERNELS, instantiate, nodeBuiltin, type KernelExports, type ParallelKernel } from "./kernels.js";

// Control block (a SharedArrayBuffer of its own, so memory growth never moves it):
// int32 slots, then float64 job arguments from byte 64.
const JOB = 0; // sequence number of the last job posted by the main thread
const DONE = 1; // sequence number of the last job the worker finished
const READY = 2; // 1 once the worker has instantiated the module, -1 if it could not
const KERNEL = 3; // kernel id (index in PARALLEL_KERNELS), -1 = exit
const ARGC = 4;
const FAILED = 5; // 1 if the worker's last job threw
const RESULT = 6; // the worker's kernel result (integer kernels)
const ARGS = 8; // float64 index of the first argument
const MAX_ARGS = 32;

/** Busy-wait this many polls before sleeping in Atomics.wait: jobs arrive microseconds apart. */
const SPIN = 20000;

// The worker's code, as the source of a function of its workerData, so no second file has to be
// found next to the package's entry point (it runs from src/ in tests and from dist/ when
// installed). Node runs it in an eval worker (nodeSpawnWorker), a browser in a Worker made from
// a Blob (browser.ts).
export const WORKER_MAIN = `(workerData) => {
  const { wasmModule, memory, control, names, spin } = workerData;
  const I = new Int32Array(control), F = new Float64Array(control);
  let fns;
  try {
    const instance = new WebAssembly.Instance(wasmModule, { env: { memory, abort() { throw new Error("sim-wasm kernel aborted"); } } });
    fns = names.map((n) => instance.exports[n]);
  } catch (e) {
    Atomics.store(I, ${READY}, -1);
    Atomics.notify(I, ${READY});
    return;
  }
  Atomics.store(I, ${READY}, 1);
  Atomics.notify(I, ${READY});
  let seen = 0;
  for (;;) {
    let s, polls = 0;
    while ((s = Atomics.load(I, ${JOB})) === seen) {
      if (++polls > spin) { Atomics.wait(I, ${JOB}, seen); polls = 0; }
    }
    seen = s;
    const k = I[${KERNEL}];
    if (k < 0) break;
    const argc = I[${ARGC}];
    const args = new Array(argc);
    for (let i = 0; i < argc; i++) args[i] = F[${ARGS} + i];
    try { I[${RESULT}] = fns[k](...args) | 0; I[${FAILED}] = 0; } catch (e) { I[${FAILED}] = 1; }
    Atomics.store(I, ${DONE}, s);
    Atomics.notify(I, ${DONE});
  }
}`;

/** What a pool worker is handed: the module, the shared memory and the control block. */
export interface PoolWorkerData {
  readonly wasmModule: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly control: SharedArrayBuffer;
  readonly names: readonly string[];
  readonly spin: number;
}

/** What the pool needs of a worker it started: a way to end it. */
export interface WorkerLike {
  terminate(): unknown;
}

/** Starts a worker running `(${WORKER_MAIN})(data)`; `onError` is called if the worker dies. */
export type SpawnWorker = (main: string, data: PoolWorkerData, onError: () => void) => WorkerLike;

/** Node: an eval worker_threads Worker that never keeps the process alive. */
export const nodeSpawnWorker: SpawnWorker = (main, data, onError) => {
  const { Worker } = nodeBuiltin<typeof import("node:worker_threads")>("node:worker_threads", "spawnWorker");
  // worker_threads is loaded by dynamic import, which works whether Node evaluates the source as
  // CommonJS or as an ES module (a parent started with --input-type=module passes that on).
  const source = `import("node:worker_threads").then(({ workerData }) => (${main})(workerData));`;
  const worker = new Worker(source, { eval: true, workerData: data });
  // It sleeps in Atomics.wait between jobs.
  worker.unref();
  worker.on("error", onError);
  return worker;
};

/**
 * The threads of a backend: the main thread plus at most one worker running the same module on
 * the same shared memory. A job splits a range of rows in two; the main thread computes the
 * first part while the worker computes the second, then waits (Atomics.wait) for the worker.
 */
export class Pool {
  readonly threads: number;
  private readonly worker: WorkerLike | null;
  private readonly ctl: SharedArrayBuffer | ArrayBuffer;
  private readonly I: Int32Array;
  private readonly F: Float64Array;
  private seq = 0;
  private closed = false;

  constructor(
    private readonly k: KernelExports,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    threads: number,
    spawn: SpawnWorker = nodeSpawnWorker,
  ) {
    this.threads = threads;
    // One thread needs no shared control block (a page that is not cross-origin isolated has no SharedArrayBuffer).
    const bytes = 64 + 8 * (ARGS + MAX_ARGS);
    this.ctl = threads > 1 ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    this.I = new Int32Array(this.ctl);
    this.F = new Float64Array(this.ctl);
    if (threads > 1) {
      const data = { wasmModule: module, memory, control: this.ctl as SharedArrayBuffer, names: [...PARALLEL_KERNELS], spin: SPIN };
      this.worker = spawn(WORKER_MAIN, data, () => {
        Atomics.store(this.I, READY, -1);
      });
    } else {
      this.worker = null;
    }
  }

  /** True once the worker can take jobs (until then, and with threads = 1, the main thread does everything). */
  get parallel(): boolean {
    return this.worker !== null && !this.closed && Atomics.load(this.I, READY) === 1;
  }

  /** Blocks until the worker is ready (or `ms` pass); returns whether it is. */
  waitReady(ms = 10_000): boolean {
    if (!this.worker || this.closed) return false;
    Atomics.wait(this.I, READY, 0, ms);
    return this.parallel;
  }

  /**
   * Runs kernel(...args, [scratch], start, end) over [0, total), split at a multiple of `granule`
   * between the main thread and the worker, and returns the sum of the parts' results (kernels
   * that count something). `work` estimates the job's cost; small jobs stay on the main thread,
   * where the hand-over would cost more than it saves.
   */
  run(kernel: ParallelKernel, args: number[], total: number, granule: number, work: number, scratch?: readonly [number, number]): number {
    const fn = this.k[kernel] as (...a: number[]) => number | undefined;
    const mainScratch = scratch ? [scratch[0]] : [];
    if (total <= granule || work < 150_000 || !this.parallel) {
      return fn(...args, ...mainScratch, 0, total) ?? 0;
    }
    let mid = Math.round(total / 2 / granule) * granule;
    mid = Math.max(granule, Math.min(total - 1, mid));
    // Post the second half to the worker.
    const all = scratch ? [...args, scratch[1], mid, total] : [...args, mid, total];
    if (all.length > MAX_ARGS) throw new RangeError(`too many kernel arguments (${all.length})`);
    for (let i = 0; i < all.length; i++) this.F[ARGS + i] = all[i];
    this.I[KERNEL] = PARALLEL_KERNELS.indexOf(kernel);
    this.I[ARGC] = all.length;
    const s = ++this.seq;
    Atomics.store(this.I, JOB, s);
    Atomics.notify(this.I, JOB);
    const mine = fn(...args, ...mainScratch, 0, mid) ?? 0;
    let polls = 0;
    while (Atomics.load(this.I, DONE) !== s) {
      if (++polls > SPIN) {
        Atomics.wait(this.I, DONE, s - 1, 1000);
        polls = 0;
      }
    }
    if (this.I[FAILED] === 1) throw new Error(`sim-wasm: kernel ${kernel} failed on the worker thread`);
    return mine + this.I[RESULT];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.worker) {
      this.I[KERNEL] = -1;
      Atomics.store(this.I, JOB, ++this.seq);
      Atomics.notify(this.I, JOB);
      void this.worker.terminate();
    }
  }
}
