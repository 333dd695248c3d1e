// sim-cpu is the conformance suite's reference, and it computes with core's neuron functions. So it
// is checked here against the physics written out independently: a qubit as its real amplitudes
// (cos, sin), the rotation ry(theta), the measurement operators of docs/model.md §2.5
// M(m) = diag(sqrt((1 + m sin g)/2), sqrt((1 - m sin g)/2)), and the target written out, none of them
// core's code. Only the draws come from core (the counter-based stream, checked in core's rng tests).
import { describe, expect, it } from "vitest";
import { neuronLayerParams, neuronUniforms, type Activation, type NeuronParams } from "@natural-quantization/core";
import { CpuBackend } from "../src/index.js";

const PI = Math.PI;

function targetOf(z: number, a: number, activation: Activation): number {
  if (a === 0) return z > 0 ? 1 : -1;
  return activation === "tanh" ? Math.tanh(z / a) : Math.min(1, Math.max(-1, z / a));
}

interface Qubit { c: number; s: number; m: 1 | -1 }

/** One neuron update on amplitudes: rotate by (pi/2)(m - t), measure with M(+-1) at draw u, collapse. */
function update(q: Qubit, z: number, u: number, p: NeuronParams, g: number): { q: Qubit; pPlus: number } {
  const theta = (PI / 2) * (q.m - targetOf(z, p.a, p.activation));
  const c = q.c * Math.cos(theta / 2) - q.s * Math.sin(theta / 2);
  const s = q.c * Math.sin(theta / 2) + q.s * Math.cos(theta / 2);
  const k = (m: 1 | -1) => [Math.sqrt((1 + m * Math.sin(g)) / 2), Math.sqrt((1 - m * Math.sin(g)) / 2)];
  const [p0, p1] = k(1);
  const pPlus = (p0 * c) ** 2 + (p1 * s) ** 2;
  const m: 1 | -1 = u < pPlus ? 1 : -1;
  const [k0, k1] = k(m);
  const norm = Math.hypot(k0 * c, k1 * s);
  return { q: { c: (k0 * c) / norm, s: (k1 * s) / norm, m }, pPlus };
}

describe("sim-cpu against closed forms", () => {
  const cases: Array<[string, NeuronParams]> = [
    ["sign network", { a: 0, g: PI / 2, activation: "tanh" }],
    ["Model 1 tanh", { a: 0.7, g: PI / 2, activation: "tanh" }],
    ["Model 1 htanh", { a: 1.3, g: PI / 2, activation: "htanh" }],
    ["Model 2", { a: 0.4, g: 0.5, activation: "tanh" }],
    ["Model 2 near projective", { a: 0.9, g: 1.4, activation: "htanh" }],
  ];
  for (const [label, params] of cases) {
    it(`three layers of outcomes equal the amplitude chain's, draw for draw (${label})`, () => {
      const be = new CpuBackend();
      const rows = 60, cols = 23, H = 3;
      const q = be.qubitRegister(rows, cols);
      be.resetQubits(q, rows);
      const chain: Qubit[] = Array.from({ length: rows * cols }, () => ({ c: 1, s: 0, m: 1 }));
      const u = new Float64Array(rows * cols);
      let compared = 0, ties = 0;
      for (let l = 0; l < H; l++) {
        const zs = Float32Array.from({ length: rows * cols }, (_, i) => 2.5 * Math.sin(1.7 * i + 0.3 * l));
        const z = be.tensor(rows, cols), d = be.tensor(rows, cols);
        be.write(z, zs);
        const run = { seed: 5, pass: 9, layer: l, rowOffset: 40 };
        // The last hidden layer is projective (docs/model.md §3), whatever g.
        const g = l === H - 1 ? PI / 2 : params.g;
        be.neuronLayer(z, q, d, neuronLayerParams(params, l, H), run, rows);
        neuronUniforms(run, rows, cols, u);
        const out = be.readSync(d);
        for (let i = 0; i < rows * cols; i++) {
          const next = update(chain[i], zs[i], u[i], params, g);
          if (Math.abs(u[i] - next.pPlus) < 1e-12) ties++;
          else expect(out[i]).toBe(next.q.m);
          chain[i] = next.q;
          compared++;
        }
      }
      expect(ties).toBeLessThanOrEqual(compared / 1000);
    });
  }

  it("outcome frequencies of one Model 2 layer match (1 + sin g sin(pi t / 2)) / 2 (binomial bound, false alarm 1e-6)", () => {
    const be = new CpuBackend();
    const zValues = [-1.5, -0.3, 0, 0.2, 0.8, 2];
    const p: NeuronParams = { a: 0.6, g: 0.8, activation: "tanh" };
    const rows = 5000, cols = zValues.length;
    const z = be.tensor(rows, cols), d = be.tensor(rows, cols), q = be.qubitRegister(rows, cols);
    be.write(z, Float32Array.from({ length: rows * cols }, (_, i) => zValues[i % cols]));
    be.resetQubits(q, rows);
    be.neuronLayer(z, q, d, neuronLayerParams(p, 0, 2), { seed: 3, pass: 1, layer: 0, rowOffset: 0 }, rows);
    const out = be.readSync(d);
    zValues.forEach((zv, j) => {
      const expected = (1 + Math.sin(p.g) * Math.sin((PI / 2) * Math.tanh(Math.fround(zv) / p.a))) / 2;
      let plus = 0;
      for (let r = 0; r < rows; r++) if (out[r * cols + j] === 1) plus++;
      expect(Math.abs(plus / rows - expected)).toBeLessThanOrEqual(4.89 * Math.sqrt((expected * (1 - expected)) / rows));
    });
  });
});
