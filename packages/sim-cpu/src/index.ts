import { registerBackend, Tokens, type BackendPlugin } from "@natural-quantization/core";
import { CpuBackend } from "./cpu-backend.js";
import { CpuQubitLayer } from "./qubit-layer.js";

export { CpuBackend, CpuQubitLayer };

/** The plugin the CLI loads for `--backend sim-cpu`; it also lends its qubit layer to dense-only engines. */
export const backend: BackendPlugin = {
  name: "sim-cpu",
  description: "reference simulator: plain TypeScript, ml-matrix linear algebra, float64, any neuron model",
  provides: "machine",
  priority: 1,
  register: (container) => registerBackend(container, () => new CpuBackend()),
  lendQubits(container) {
    container.register(Tokens.QubitLayer, { useValue: new CpuQubitLayer(container.resolve(Tokens.DenseEngine)) });
  },
};
