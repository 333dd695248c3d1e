export * from "./circuit.js";
export * from "./target.js";
export * from "./provider.js";
export * from "./noise/index.js";
