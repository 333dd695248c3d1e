export * from "./mnist.js";
export * from "./idx.js";
export * from "./synthetic.js";
export * from "./load.js";
