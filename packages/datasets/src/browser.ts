// The browser entry: the parts of this package that need no Node modules.
export * from "./split.js";
export * from "./idx-parse.js";
