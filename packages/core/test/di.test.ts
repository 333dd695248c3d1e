import { describe, expect, it } from "vitest";
import { registerBackend, registerCore, Tokens } from "../src/di.js";
import { container as root } from "tsyringe";
import type { Backend } from "../src/backend.js";
import { HALF_PI, QubitNeuronModel } from "../src/neuron.js";
import { SgdTrainer } from "../src/trainer.js";

describe("dependency injection", () => {
  it("resolves the trainer on the registered backend, once per container", () => {
    const c = root.createChildContainer();
    let made = 0;
    const fake = { name: "fake", capabilities: { training: true, sampling: "exact", deterministic: true, maxQubits: null, noise: false, threads: 1 } } as unknown as Backend;
    registerBackend(c, () => {
      made++;
      return fake;
    });
    c.register(Tokens.NeuronParams, { useValue: { a: 0.5, g: HALF_PI, activation: "tanh" } });
    registerCore(c);
    expect(c.resolve(Tokens.Trainer)).toBeInstanceOf(SgdTrainer);
    expect(c.resolve(Tokens.Backend)).toBe(fake);
    expect(c.resolve(Tokens.Backend)).toBe(fake);
    expect(made).toBe(1);
    const model = c.resolve(Tokens.NeuronModel);
    expect(model).toBeInstanceOf(QubitNeuronModel);
    expect(model.params.a).toBe(0.5);
  });
});
