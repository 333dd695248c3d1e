export * from "./model.js";
export * from "./bloch.js";
export * from "./from-target.js";
export * from "./noisy-qubit-layer.js";
export * from "./noise-gates.js";
