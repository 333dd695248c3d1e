import { registerBackend, type BackendPlugin } from "@natural-quantization/core";
import { binding } from "./binding.js";
import { NativeBackend, type NativeBackendOptions } from "./native-backend.js";

export { NativeBackend, type NativeBackendOptions };
export { binding, type Binding } from "./binding.js";

/** The plugin the CLI loads for `--backend sim-native`. */
export const backend: BackendPlugin = {
  name: "sim-native",
  description: "fastest simulator: C++ kernels over Node-API (AVX-512, AVX2 or portable, chosen at load), float32 linear algebra, float64 neurons, every core by default",
  provides: "machine",
  priority: 3,
  register(container, options) {
    // Load the addon now, so that a missing binary fails with its one-line error before any work.
    binding();
    registerBackend(container, () => new NativeBackend(options));
  },
};
