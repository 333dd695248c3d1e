// The Node entry: TensorFlow.js's pure-JavaScript "cpu" backend (no native tfjs-node download).
import { tfjsPlugin } from "./plugin.js";

export { TfjsEngine, createTfjsEngine } from "./tfjs-engine.js";

/** The plugin the CLI loads for `--backend sim-tfjs`. */
export const backend = tfjsPlugin("cpu", "dense-only engine on TensorFlow.js (pure-JS cpu backend, float32); the qubit layer is sim-cpu's");
