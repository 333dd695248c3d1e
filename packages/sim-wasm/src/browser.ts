// The browser entry of sim-wasm: no Node modules. The kernels are fetched, helper threads are Web
// Workers made from a Blob, and the backend runs inside a dedicated Worker (Atomics.wait, which
// the pool uses to wait for its helpers, is not allowed on a page's main thread).
import { registerBackendAsync, type BackendPlugin } from "@natural-quantization/core";
import { KERNELS_URL } from "./kernels.js";
import type { SpawnWorker } from "./pool.js";
import { WasmBackend, type WasmBackendOptions } from "./wasm-backend.js";

export { WasmBackend, type WasmBackendOptions };
export { KERNELS_URL };
export type { SpawnWorker, WorkerLike, PoolWorkerData } from "./pool.js";

/** The parts of the browser's worker API used here (this package compiles without the DOM lib). */
interface BrowserGlobals {
  readonly crossOriginIsolated?: boolean;
  readonly navigator?: { readonly hardwareConcurrency?: number };
  readonly Worker: new (url: string, options?: { type?: "classic" | "module"; name?: string }) => BrowserWorker;
  readonly URL: { createObjectURL(blob: Blob): string };
  readonly WebAssembly: { compile(bytes: ArrayBuffer): Promise<WebAssembly.Module> };
}
interface BrowserWorker {
  onerror: ((event: unknown) => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}

const web = globalThis as unknown as BrowserGlobals;

/** Compiles the kernels fetched from `url` (default: dist/kernels.wasm next to this file). */
export async function compileKernels(url: string | URL = KERNELS_URL): Promise<WebAssembly.Module> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`sim-wasm: cannot fetch the kernels from ${String(url)} (HTTP ${response.status})`);
  return web.WebAssembly.compile(await response.arrayBuffer());
}

/**
 * Threads the page can use: all cores when it is cross-origin isolated (SharedArrayBuffer and
 * shared memory may be sent to workers), else one.
 */
export function browserThreads(): number {
  if (web.crossOriginIsolated !== true) return 1;
  return Math.max(1, web.navigator?.hardwareConcurrency ?? 1);
}

/** Helper threads as classic Web Workers from a Blob: the pool's worker code needs no file of its own. */
export const browserSpawnWorker: SpawnWorker = (main, data, onError) => {
  const source = `self.onmessage = (e) => { self.onmessage = null; (${main})(e.data); };`;
  const url = web.URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const worker = new web.Worker(url, { name: "sim-wasm helper" });
  worker.onerror = () => onError();
  worker.postMessage(data);
  return worker;
};

export interface BrowserBackendOptions extends WasmBackendOptions {
  /** Where kernels.wasm is (default: next to this package's dist/). */
  readonly kernelsUrl?: string | URL;
  /** How long to wait for the helper threads to start (ms, default 10,000). */
  readonly startTimeoutMs?: number;
}

/**
 * A sim-wasm backend for a dedicated Web Worker. Helper workers start only once this thread
 * returns to its event loop, so their start is awaited here (polling) rather than blocked on.
 */
export async function createBrowserBackend(options: BrowserBackendOptions = {}): Promise<WasmBackend> {
  const module = options.module ?? (await compileKernels(options.kernelsUrl));
  const backend = new WasmBackend({ ...options, module, threads: options.threads ?? browserThreads(), spawnWorker: options.spawnWorker ?? browserSpawnWorker });
  if (backend.capabilities.threads > 1) {
    const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
    while (!backend.waitForThreads(0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }
  return backend;
}

/** The plugin of the browser entry: an asynchronous factory (kernels fetched and compiled, helpers started). */
export const backend: BackendPlugin = {
  name: "sim-wasm",
  description: "fast simulator in the browser: WebAssembly SIMD kernels, Web Worker helpers when the page is cross-origin isolated",
  provides: "machine",
  priority: 2,
  register: (container, options) => registerBackendAsync(container, () => createBrowserBackend(options)),
};
