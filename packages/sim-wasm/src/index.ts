import { registerBackend, type BackendPlugin } from "@natural-quantization/core";
import { WasmBackend, type WasmBackendOptions } from "./wasm-backend.js";

export { WasmBackend, type WasmBackendOptions };

/** The plugin the CLI loads for `--backend sim-wasm`. */
export const backend: BackendPlugin = {
  name: "sim-wasm",
  description: "fast simulator: WebAssembly SIMD kernels (AssemblyScript), float32 linear algebra, float64 neurons, every core by default; the built-in neuron model",
  provides: "machine",
  priority: 2,
  register(container, options) {
    registerBackend(container, () => new WasmBackend(options));
  },
};
