// No Node imports and no global side effects here: the main entry loads in a browser too.
// Files live in "@natural-quantization/core/node".
export * from "./errors.js";
export * from "./rng.js";
export * from "./neuron.js";
export * from "./spec.js";
export * from "./weights.js";
export * from "./backend.js";
export * from "./dataset.js";
export * from "./metrics.js";
export * from "./trainer.js";
export * from "./recording.js";
export * from "./register.js";
export * from "./checkpoint.js";
export * from "./di.js";
export * from "./parse.js";
