// Contributed neuron models: examples/neurons/soft-ste.mjs (repository root), loaded by path with
// --neuron, trains on sim-cpu; sim-wasm refuses it in one line naming a backend that runs it.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { HALF_PI, type NeuronPlugin } from "@natural-quantization/core";
import { nq, oneLine, tiny } from "./helpers.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const example = "./examples/neurons/soft-ste.mjs";

describe("neuron model plugins", () => {
  it("soft-ste's gradient is the derivative of the expected outcome (central finite differences)", async () => {
    const { neuron } = (await import(new URL(`../../../${example}`, import.meta.url).href)) as { neuron: NeuronPlugin };
    let checked = 0;
    for (const activation of ["tanh", "htanh"] as const) for (const a of [0.3, 1.2]) for (const g of [0.4, 1.0, HALF_PI]) {
      const model = neuron.create({ a, g, activation });
      // E[d](z) from the reset state, through the model's own physics (rotation, then P(+1)).
      const expected = (z: number) => 2 * model.probPlus(0 + model.rotation(z, 1), g) - 1;
      for (const z of [-2.1, -0.7, -0.05, 0.13, 0.5, 0.9, 1.7]) {
        if (activation === "htanh" && Math.abs(Math.abs(z) - a) < 1e-3) continue; // the kink of clip(z/a)
        const h = 1e-5;
        const fd = (expected(z + h) - expected(z - h)) / (2 * h);
        expect(Math.abs(model.gradient(z, g) - fd)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(fd)));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(70);
    // At a = 0 the expected outcome is a step: the model keeps the straight-through estimator.
    const sign = neuron.create({ a: 0, g: HALF_PI, activation: "tanh" });
    expect([sign.gradient(0.5, HALF_PI), sign.gradient(1.5, HALF_PI)]).toEqual([1, 0]);
  });

  it("nq train --backend sim-cpu --neuron ./examples/neurons/soft-ste.mjs trains with the model's gradient", () => {
    const args = ["train", ...tiny, "--a", "0.5", "--backend", "sim-cpu", "--json"];
    const dirs = [mkdtempSync(join(tmpdir(), "nq-soft-")), mkdtempSync(join(tmpdir(), "nq-ste-"))];
    const soft = nq([...args, "--neuron", example, "--out", dirs[0]], { cwd: root });
    expect(soft.code, soft.stderr).toBe(0);
    const ste = nq([...args, "--neuron", "qubit", "--out", dirs[1]], { cwd: root });
    expect(ste.code, ste.stderr).toBe(0);
    expect(JSON.parse(soft.stdout).testErrorK).toBeLessThan(0.6); // 4 classes: chance is 0.75
    // Another gradient, so another training from the same seed and draws.
    const losses = dirs.map((d) => (JSON.parse(readFileSync(join(d, "metrics.json"), "utf8")) as Array<{ loss: number }>).map((h) => h.loss));
    expect(losses[0]).not.toEqual(losses[1]);
  });

  it("sim-wasm refuses another neuron model in one line naming a backend that runs it", () => {
    const r = nq(["train", ...tiny, "--a", "0.5", "--backend", "sim-wasm", "--neuron", example], { cwd: root });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(/^nq: sim-wasm runs only the built-in neuron model "qubit" in its kernels, not "soft-ste"; run that model on sim-cpu\n$/);
  });

  it("refuses an unknown neuron model in one line", () => {
    const r = nq(["train", ...tiny, "--neuron", "no-such-neuron"], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nq: invalid neuron: "no-such-neuron" \(allowed: qubit, a package installed in the current directory, or a path to a module exporting `neuron`; no package no-such-neuron is installed in .* \(install it there with npm install no-such-neuron\)\)\n$/);
  });

  it("trains on the dense-only engine sim-tfjs (with sim-cpu's qubit layer)", () => {
    const r = nq(["train", ...tiny, "--backend", "sim-tfjs", "--json"], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).backend).toBe("sim-tfjs");
  });
});
