import { describe, expect, it } from "vitest";
import { ConfigError, type Dataset } from "@natural-quantization/core";
import { threadConformance } from "@natural-quantization/core/conformance";
import { loadMnistSubset } from "@natural-quantization/datasets";
import { NativeBackend } from "../src/native-backend.js";

let mnist: Dataset | undefined;
const dataset = (): Dataset => (mnist ??= loadMnistSubset({ trainSize: 1000, testSize: 1000 }));

threadConformance("sim-native", (threads) => new NativeBackend({ threads }), { threads: [1, 2, 3], dataset });

describe("sim-native threads", () => {
  it("takes any thread count >= 1 and names a bad one", () => {
    const be = new NativeBackend({ threads: 3 });
    try {
      expect(be.capabilities.threads).toBe(3);
    } finally {
      be.dispose();
    }
    for (const bad of [0, -2, 1.5, Number.NaN]) {
      expect(() => new NativeBackend({ threads: bad })).toThrow(ConfigError);
      expect(() => new NativeBackend({ threads: bad })).toThrow(`invalid sim-native threads: ${Number.isNaN(bad) ? "NaN" : bad} (allowed: an integer >= 1)`);
    }
  });
});
