import { describe, expect, it } from "vitest";
import { ConfigError, type Dataset } from "@natural-quantization/core";
import { threadConformance } from "@natural-quantization/core/conformance";
import { loadMnistSubset } from "@natural-quantization/datasets";
import { WasmBackend } from "../src/wasm-backend.js";

let mnist: Dataset | undefined;
const dataset = (): Dataset => (mnist ??= loadMnistSubset({ trainSize: 1000, testSize: 1000 }));

threadConformance(
  "sim-wasm",
  (threads) => {
    const be = new WasmBackend({ threads });
    // Every worker must be running, or the comparison would not involve them.
    if (threads > 1) expect(be.waitForThreads()).toBe(true);
    return be;
  },
  { threads: [1, 2, 3, 4], dataset },
);

describe("sim-wasm threads", () => {
  it("takes any thread count >= 1 and names a bad one", () => {
    const be = new WasmBackend({ threads: 3 });
    try {
      expect(be.capabilities.threads).toBe(3);
      expect(be.waitForThreads()).toBe(true);
    } finally {
      be.dispose();
    }
    for (const bad of [0, -2, 1.5, Number.NaN]) {
      expect(() => new WasmBackend({ threads: bad })).toThrow(ConfigError);
      expect(() => new WasmBackend({ threads: bad })).toThrow(`invalid sim-wasm threads: ${Number.isNaN(bad) ? "NaN" : bad} (allowed: an integer >= 1)`);
    }
  });
});
