import { describe, expect, it } from "vitest";
import { WasmBackend } from "../src/wasm-backend.js";

// Buffers are zero-filled (the Backend contract): velocities start at zero, so a second training
// run on the same backend must not see the first run's memory.
describe("heap reuse", () => {
  it("a tensor allocated where a released one was (the top of the heap) starts at zero", () => {
    const be = new WasmBackend({ threads: 1 });
    try {
      const a = be.tensor(3, 50);
      be.write(a, new Float32Array(150).fill(7));
      be.release(a);
      const b = be.tensor(3, 50);
      expect(Array.from(be.readSync(b)).every((v) => v === 0)).toBe(true);
    } finally {
      be.dispose();
    }
  });
});
