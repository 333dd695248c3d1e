import { describe, expect, it } from "vitest";
import { backAction, backActionAsin, HALF_PI, probPlus, QubitNeuronModel, straightThrough, target, type Gate } from "../src/neuron.js";

const model = (a: number, g = HALF_PI, activation: "tanh" | "htanh" = "tanh") => new QubitNeuronModel({ a, g, activation });
const grid = (from: number, to: number, n: number) => Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));

/** Explicit measurement operators of docs/model.md §2.5 applied to (cos, sin) and renormalised. */
function kraus(alpha: number, outcome: 1 | -1, g: number): { p: number; c0: number; c1: number } {
  const s = Math.sin(g);
  const m0 = Math.sqrt((1 + outcome * s) / 2), m1 = Math.sqrt((1 - outcome * s) / 2);
  const a0 = m0 * Math.cos(alpha / 2), a1 = m1 * Math.sin(alpha / 2);
  const p = a0 * a0 + a1 * a1;
  return { p, c0: a0 / Math.sqrt(p), c1: a1 / Math.sqrt(p) };
}

/** A two-qubit real state-vector simulator (index = neuron + 2 * ancilla), independent of the model code. */
function runCircuit(gates: Gate[]): { pAncilla0: number; pNeuron0: number; neuronAfterAncilla0: [number, number] } {
  let psi = [1, 0, 0, 0];
  const bit = (i: number, q: "neuron" | "ancilla") => (q === "neuron" ? i & 1 : (i >> 1) & 1);
  const flip = (i: number, q: "neuron" | "ancilla") => (q === "neuron" ? i ^ 1 : i ^ 2);
  const ry = (angle: number, q: "neuron" | "ancilla", control?: "neuron") => {
    const c = Math.cos(angle / 2), s = Math.sin(angle / 2);
    const out = psi.slice();
    for (let i = 0; i < 4; i++) {
      if (control && bit(i, control) === 0) continue;
      if (bit(i, q) === 0) {
        const j = flip(i, q);
        out[i] = c * psi[i] - s * psi[j];
        out[j] = s * psi[i] + c * psi[j];
      }
    }
    psi = out;
  };
  for (const g of gates) {
    if (g.op === "ry") ry(g.angle, g.qubit);
    if (g.op === "cry") ry(g.angle, g.target, g.control);
  }
  const pAncilla0 = psi[0] ** 2 + psi[1] ** 2;
  const pNeuron0 = psi[0] ** 2 + psi[2] ** 2;
  const norm = Math.sqrt(pAncilla0);
  return { pAncilla0, pNeuron0, neuronAfterAncilla0: [psi[0] / norm, psi[1] / norm] };
}

describe("the target s_a(z)", () => {
  it("is sign(z) at a = 0 with sign(0) = -1, tanh(z/a) or clip(z/a) otherwise", () => {
    expect([target(-0.3, 0, "tanh"), target(0, 0, "tanh"), target(1e-9, 0, "tanh")]).toEqual([-1, -1, 1]);
    expect(target(0.4, 0.5, "tanh")).toBeCloseTo(Math.tanh(0.8), 15);
    expect([target(0.4, 0.5, "htanh"), target(2, 0.5, "htanh"), target(-2, 0.5, "htanh")]).toEqual([0.8, 1, -1]);
  });
});

describe("Model 1: rotation then projective measurement", () => {
  it("P(+1) = (1 + sin((pi/2) t)) / 2 from the reset state and from either basis state", () => {
    for (const a of [0, 0.1, 0.5, 2]) for (const z of grid(-3, 3, 61)) {
      const m = model(a);
      const t = m.target(z);
      const expected = (1 + Math.sin(HALF_PI * t)) / 2;
      for (const start of [{ alpha: 0, m: 1 as const }, { alpha: Math.PI, m: -1 as const }]) {
        const alpha = start.alpha + m.rotation(z, start.m);
        expect(m.probPlus(alpha, HALF_PI)).toBeCloseTo(expected, 12);
      }
    }
  });

  it("g = pi/2 collapses alpha to 0 (outcome +1) or to +-pi (outcome -1)", () => {
    for (const alpha of grid(-3, 6, 37)) {
      if (Math.abs(Math.cos(alpha / 2)) > 1e-6) expect(backAction(alpha, 1, HALF_PI)).toBeCloseTo(0, 12);
      if (Math.abs(Math.sin(alpha / 2)) > 1e-6) expect(Math.abs(backAction(alpha, -1, HALF_PI))).toBeCloseTo(Math.PI, 12);
    }
  });

  it("a = 0 with g = pi/2 is the deterministic sign network, whatever the draw", () => {
    const m = model(0);
    for (const z of grid(-2, 2, 41)) for (const u of [0, 0.3, 0.999999]) {
      expect(m.step({ alpha: 0, m: 1 }, z, u, HALF_PI).m).toBe(z > 0 ? 1 : -1);
    }
  });
});

describe("the weak measurement (Model 2)", () => {
  const alphas = grid(-3, 9, 49);
  const gs = [0, 0.2, 0.7, 1.2, HALF_PI - 1e-3, HALF_PI];

  it("outcome probabilities are those of the measurement operators and sum to 1", () => {
    for (const alpha of alphas) for (const g of gs) {
      const pPlus = probPlus(alpha, g);
      expect(pPlus).toBeCloseTo(kraus(alpha, 1, g).p, 12);
      expect(pPlus + kraus(alpha, -1, g).p).toBeCloseTo(1, 12);
      expect(pPlus).toBeGreaterThanOrEqual(0);
      expect(pPlus).toBeLessThanOrEqual(1);
    }
  });

  it("the back-action equals applying the operator and renormalising (up to a global sign)", () => {
    for (const alpha of alphas) for (const g of gs) for (const outcome of [1, -1] as const) {
      const { p, c0, c1 } = kraus(alpha, outcome, g);
      if (p < 1e-9) continue; // an outcome of probability 0 is never drawn
      const after = backAction(alpha, outcome, g);
      const overlap = Math.cos(after / 2) * c0 + Math.sin(after / 2) * c1;
      expect(Math.abs(overlap)).toBeCloseTo(1, 9);
      expect(after).toBeGreaterThan(-Math.PI);
      expect(after).toBeLessThanOrEqual(Math.PI);
    }
  });

  it("equals the asin form of the authors' code (docs/model.md §2.6) wherever cos(alpha/2) >= 0, and is its mirror image elsewhere", () => {
    let mirrored = 0;
    for (const alpha of alphas) for (const g of gs) for (const outcome of [1, -1] as const) {
      if (kraus(alpha, outcome, g).p < 1e-9) continue;
      const exact = backAction(alpha, outcome, g), asin = backActionAsin(alpha, outcome, g);
      if (Math.cos(alpha / 2) >= 1e-12) {
        // Same state up to a global sign: alpha' agrees modulo 2 pi (asin loses digits near +-1).
        expect(Math.cos(exact)).toBeCloseTo(Math.cos(asin), 6);
        expect(Math.sin(exact)).toBeCloseTo(Math.sin(asin), 6);
      } else if (Math.cos(alpha / 2) < -1e-6 && Math.abs(Math.sin(alpha / 2)) > 1e-6 && g < HALF_PI) {
        // Same |1> weight, opposite relative sign: cos(alpha') equal, sin(alpha') opposite.
        expect(Math.cos(exact)).toBeCloseTo(Math.cos(asin), 6);
        expect(Math.sin(exact)).toBeCloseTo(-Math.sin(asin), 6);
        mirrored++;
      }
    }
    expect(mirrored).toBeGreaterThan(0);
  });

  it("g = 0 gives fair coins and leaves the state untouched", () => {
    for (const alpha of alphas) {
      expect(probPlus(alpha, 0)).toBe(0.5);
      expect(Math.cos(backAction(alpha, 1, 0) / 2) ** 2).toBeCloseTo(Math.cos(alpha / 2) ** 2, 12);
    }
  });

  it("the last hidden layer is projective whatever g", () => {
    const m = model(0.3, 0.4);
    expect([m.layer(0, 3).g, m.layer(1, 3).g, m.layer(2, 3).g]).toEqual([0.4, 0.4, HALF_PI]);
    expect(() => m.layer(3, 3)).toThrow(/hidden layer 3 is outside 0..2/);
  });
});

describe("the gate sequence", () => {
  it("realises the outcome probabilities and post-measurement state on an independent state-vector simulator", () => {
    for (const g of [0.15, 0.6, 1.3, HALF_PI]) for (const z of [-1.2, -0.1, 0.4, 2]) for (const start of [{ alpha: 0.3, m: 1 as const }, { alpha: 2.5, m: -1 as const }]) {
      const m = model(0.7, g);
      const alpha = start.alpha + m.rotation(z, start.m);
      const gates = m.gates(alpha, g);
      const sim = runCircuit(gates);
      if (g === HALF_PI) {
        expect(gates.map((x) => x.op)).toEqual(["ry", "measure"]);
        expect(sim.pNeuron0).toBeCloseTo(probPlus(alpha, g), 12);
      } else {
        expect(gates.at(-1)).toEqual({ op: "measure", qubit: "ancilla" });
        expect(sim.pAncilla0).toBeCloseTo(probPlus(alpha, g), 12);
        const after = backAction(alpha, 1, g);
        const overlap = Math.cos(after / 2) * sim.neuronAfterAncilla0[0] + Math.sin(after / 2) * sim.neuronAfterAncilla0[1];
        expect(Math.abs(overlap)).toBeCloseTo(1, 9);
      }
    }
  });
});

describe("the straight-through estimator", () => {
  it("is 1 inside |z| < 1 and 0 outside, for every a and g", () => {
    expect([-1.01, -1, -0.99, 0, 0.99, 1, 3].map(straightThrough)).toEqual([0, 0, 1, 1, 1, 0, 0]);
    expect([model(2, 0.3).gradient(0.5, 0.3), model(2, 0.3).gradient(1.5, 0.3)]).toEqual([1, 0]);
    expect(model(2, 0.3).straightThroughGradient).toBe(true);
  });
});
