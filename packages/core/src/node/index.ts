/**
 * The Node-only part of core (`@natural-quantization/core/node`): files. The main entry has no
 * Node imports, so it also loads in a browser.
 */
export * from "./io.js";
export * from "./checkpoint-file.js";
export * from "./net.js";
export * from "./plugins.js";
