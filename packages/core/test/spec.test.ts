import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/errors.js";
import { HALF_PI } from "../src/neuron.js";
import { layerShapes, PAPER_NETWORK, PAPER_TRAINING, validateNetwork, validateTraining } from "../src/spec.js";

const net = (over: Record<string, unknown> = {}, neuron: Record<string, unknown> = {}) =>
  validateNetwork({ ...PAPER_NETWORK, ...over, neuron: { ...PAPER_NETWORK.neuron, ...neuron } } as never);
const train = (over: Record<string, unknown> = {}) => validateTraining({ ...PAPER_TRAINING, ...over } as never);

function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("spec validation", () => {
  it("accepts the paper's setting and gives its layer shapes", () => {
    expect(layerShapes(net())).toEqual([[512, 784], [512, 512], [512, 512], [10, 512]]);
    expect(train()).toEqual(PAPER_TRAINING);
  });

  it.each([
    ["a", () => net({}, { a: -0.1 }), "-0.1", "a >= 0"],
    ["g", () => net({}, { g: 2 }), "2", "0 <= g <= pi/2"],
    ["g", () => net({}, { g: -0.01 }), "-0.01", "0 <= g <= pi/2"],
    ["g", () => net({}, { g: Number.NaN }), "NaN", "finite"],
    ["activation", () => net({}, { activation: "relu" }), '"relu"', "tanh or htanh"],
    ["width", () => net({ width: 0 }), "0", "integer from 1"],
    ["depth", () => net({ depth: 1 }), "1", "integer from 2"],
    ["epochs", () => train({ epochs: 1.5 }), "1.5", "integer"],
    ["batch", () => train({ batch: 0 }), "0", "integer from 1"],
    ["lr", () => train({ lr: Number.NaN }), "NaN", "finite"],
    ["lr", () => train({ lr: 0 }), "0", "0 < lr"],
    ["momentum", () => train({ momentum: 1 }), "1", "0 <= momentum < 1"],
    ["shots", () => train({ shots: 0 }), "0", "integer from 1"],
    ["seed", () => train({ seed: -1 }), "-1", "integer from 0"],
  ])("rejects a bad %s naming the field, the value and the range", (field, f, value, allowed) => {
    const e = errorOf(f);
    expect(e.field).toBe(field);
    expect(e.message).toContain(`invalid ${field}: ${value}`);
    expect(e.message).toContain(allowed);
  });

  it("snaps a decimal pi/2 to pi/2 exactly", () => {
    expect(net({}, { g: 1.5708 }).neuron.g).toBe(HALF_PI);
    expect(net({}, { g: 1.2 }).neuron.g).toBe(1.2);
  });
});
