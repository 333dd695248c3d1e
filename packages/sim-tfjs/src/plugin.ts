import { Tokens, type BackendPlugin } from "@natural-quantization/core";
import { createTfjsEngine } from "./tfjs-engine.js";

/** The plugin of a tf backend: a dense engine made asynchronously, with sim-cpu's qubit layer borrowed by the composer. */
export function tfjsPlugin(tfBackend: string, description: string): BackendPlugin {
  return {
    name: "sim-tfjs",
    description,
    provides: "dense",
    borrowsQubitsFrom: "sim-cpu",
    priority: 0,
    async register(container) {
      const engine = await createTfjsEngine(tfBackend);
      container.register(Tokens.DenseEngine, { useValue: engine });
    },
  };
}
