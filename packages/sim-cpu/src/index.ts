import { registerBackend, type BackendPlugin } from "@natural-quantization/core";
import { CpuBackend } from "./cpu-backend.js";

export { CpuBackend };

/** The plugin the CLI loads for `--backend sim-cpu`. */
export const backend: BackendPlugin = {
  name: "sim-cpu",
  description: "reference simulator: plain TypeScript, ml-matrix linear algebra, float64",
  register: (container) => registerBackend(container, () => new CpuBackend()),
};
