import { describe, expect, it } from "vitest";
import { HALF_PI, philox4x32, Stream, target } from "@natural-quantization/core";
import { instantiate, kernelModule } from "../src/kernels.js";

const memory = new WebAssembly.Memory({ initial: 64, maximum: 32768, shared: true });
const k = instantiate(kernelModule(), memory);
const base = Math.ceil(k.heapBase() / 64) * 64;

describe("kernels", () => {
  it("Philox4x32-10 matches core (known answer and neuron draws)", () => {
    const block = new Uint32Array(4);
    philox4x32(0, 0, 0, 0, 0, 0, block);
    expect(Array.from(block, (w) => w.toString(16))).toEqual(["6627e8d5", "e169c58d", "bc57ac4c", "9b00dbd8"]);
    const cols = 37;
    for (const [row, layer, pass, seed] of [[0, 0, 0, 0], [5, 1, 77, 1234], [123456, 2, 0x80000003, 0xffffffff]]) {
      k.philoxWords(base, cols, row, layer, pass, seed);
      const words = new Uint32Array(memory.buffer, base, 64);
      for (let j = 0; j < cols; j++) {
        philox4x32(j >>> 2, row, layer, pass, seed, Stream.neuron, block);
        expect(words[j]).toBe(block[j & 3]);
      }
    }
  });

  it("P(+1) of the projective fast path equals core's probPlus of the rotated basis state", () => {
    let worst = 0;
    for (const act of ["tanh", "htanh"] as const) {
      for (const a of [0.05, 0.5, 1.5]) {
        for (let z = -40; z <= 40; z += 0.0137) {
          const exact = (1 + Math.cos(HALF_PI * (1 - target(z, a, act)))) / 2;
          worst = Math.max(worst, Math.abs(k.fastProb(z, a, act === "tanh" ? 0 : 1) - exact));
        }
      }
    }
    expect(worst).toBeLessThan(1e-14);
  });

  it("the float64 polynomials of the general path are accurate to 1e-15 on [-pi/2, pi/2]", () => {
    let worst = 0;
    for (let y = -HALF_PI; y <= HALF_PI; y += 1e-4) worst = Math.max(worst, Math.abs(k.cosHalfPi(y) - Math.cos(y)));
    expect(worst).toBeLessThan(1e-15);
  });

  it("the float32 screen is within 2e-6 of the float64 probability (its margin is 1e-5)", () => {
    let worst = 0;
    for (const act of [0, 1]) {
      for (const a of [0.01, 0.3, 0.5, 1, 2.7]) {
        const invA = Math.fround(1 / a);
        for (let i = 0; i < 200_000; i++) {
          const z = Math.fround((i / 200_000 - 0.5) * 60 * Math.max(a, 0.2));
          worst = Math.max(worst, Math.abs(k.fastProb32(z, invA, act) - k.fastProb(z, a, act)));
        }
      }
    }
    expect(worst).toBeLessThan(2e-6);
  });
});
