// The browser entry: TensorFlow.js on WebGL (tensors are GPU textures, read back asynchronously).
// Import "@natural-quantization/sim-tfjs/browser"; tf's webgl backend ships inside @tensorflow/tfjs.
import { tfjsPlugin } from "./plugin.js";

export { TfjsEngine, createTfjsEngine } from "./tfjs-engine.js";

/** The browser plugin: a WebGL engine, sim-cpu's qubit layer borrowed. */
export const backend = tfjsPlugin("webgl", "dense-only engine on TensorFlow.js WebGL (float32 on the GPU); the qubit layer is sim-cpu's");
