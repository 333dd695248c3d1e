import { HALF_PI, RandomStream } from "@natural-quantization/core";
import { describe, expect, it } from "vitest";
import type { Circuit, Operation } from "../../src/circuit.js";
import { noisyProbPlus } from "../../src/noise/bloch.js";
import { noiseModel, NOISELESS, type NoiseModel } from "../../src/noise/model.js";
import { applyReadoutError, applyReadoutErrors, noisyCircuitInstance, noisyCircuitInstances } from "../../src/noise/noise-gates.js";
import { probabilitiesOfZero } from "./statevector.js";

const Z = 4.89;
const withinBinomial = (count: number, n: number, p: number) => Math.abs(count / n - p) <= Z * Math.sqrt((p * (1 - p)) / n) + 1e-12;

/** Two Model 1 units on qubits 0 and 2 (qubit 1 unused), as a layer block lays them out. */
const model1: Circuit = {
  numQubits: 3, numClbits: 2,
  ops: [{ op: "ry", qubit: 0, angle: 0.8 }, { op: "ry", qubit: 2, angle: 2.1 }, { op: "measure", qubit: 0, clbit: 0 }, { op: "measure", qubit: 2, clbit: 1 }],
};
const roles1 = { neuronQubits: [0, 2], ancillaQubits: [] };
/** One Model 2 unit, neuron 0 and ancilla 1, in the one-CZ form: ancilla ry(-g), cz, ancilla ry(pi/2). */
const model2 = (alpha: number, g: number): Circuit => ({
  numQubits: 2, numClbits: 1,
  ops: [{ op: "ry", qubit: 0, angle: alpha }, { op: "ry", qubit: 1, angle: -g }, { op: "cz", control: 0, target: 1 }, { op: "ry", qubit: 1, angle: HALF_PI }, { op: "measure", qubit: 1, clbit: 0 }],
});
/** The paper's form: ancilla ry(pi/2 - g), cry(2g) neuron -> ancilla. */
const model2cry = (alpha: number, g: number): Circuit => ({
  numQubits: 2, numClbits: 1,
  ops: [{ op: "ry", qubit: 0, angle: alpha }, { op: "ry", qubit: 1, angle: HALF_PI - g }, { op: "cry", control: 0, target: 1, angle: 2 * g }, { op: "measure", qubit: 1, clbit: 0 }],
});
const roles2 = { neuronQubits: [0], ancillaQubits: [1] };

/** The ops inserted before the op at `index` of the original (the instance minus the original's ops, in place). */
function inserted(original: Circuit, instance: Circuit): Operation[][] {
  const out: Operation[][] = original.ops.map(() => []);
  let k = 0;
  for (const op of instance.ops) {
    if (k < original.ops.length && op === original.ops[k]) k++;
    else out[k].push(op);
  }
  expect(k).toBe(original.ops.length);
  return out;
}
const kind = (ops: Operation[]) => ops.map((o) => (o.op === "rz" ? `rz(${(o as { angle: number }).angle === Math.PI ? "pi" : "?"})` : o.op)).join(" ");

describe("noise inserted as gates", () => {
  it("with every rate 0 (readout error aside, which is not a gate) the circuit is unchanged", () => {
    const rng = new RandomStream(1, "init", 50);
    for (const model of [NOISELESS, noiseModel({ readout: { p01: 0.1, p10: 0.2 } })]) {
      expect(noisyCircuitInstance(model1, roles1, model, rng)).toBe(model1);
      expect(noisyCircuitInstance(model2(1, 0.5), roles2, model, rng)).toEqual(model2(1, 0.5));
    }
  });

  it("depolarizing: X, Y (x then rz(pi)) or Z (rz(pi)) right after each neuron's rotation, each with probability lambda/4", () => {
    const lambda = 0.6, n = 20000;
    const counts = new Map<string, number>();
    for (const inst of noisyCircuitInstances(model1, roles1, noiseModel({ depolarizing: lambda }), n, new RandomStream(2, "init", 51))) {
      const ins = inserted(model1, inst);
      expect(inst.numQubits).toBe(3);
      expect(ins[0]).toEqual([]);
      expect(ins[1]).toEqual([]);
      // Before measure q0 (index 2): q0's Pauli; before measure q2 (index 3): q2's Pauli.
      ins[2].forEach((o) => expect(o).toMatchObject({ qubit: 0 }));
      ins[3].forEach((o) => expect(o).toMatchObject({ qubit: 2 }));
      for (const ops of [ins[2], ins[3]]) counts.set(kind(ops), (counts.get(kind(ops)) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(["", "rz(pi)", "x", "x rz(pi)"]);
    for (const pauli of ["x", "x rz(pi)", "rz(pi)"]) expect(withinBinomial(counts.get(pauli)!, 2 * n, lambda / 4)).toBe(true);
  });

  it("amplitude damping and thermal relaxation: one fresh ancilla per neuron, cry(2 asin(sqrt(gamma_total))) then cx back, in every instance", () => {
    const gamma = 0.3, t1 = 50e-6, time = 20e-6;
    const model = noiseModel({ amplitudeDamping: gamma, thermalRelaxation: { t1, t2: 2 * t1, time } });
    const total = 1 - (1 - gamma) * Math.exp(-time / t1);
    for (const inst of noisyCircuitInstances(model1, roles1, model, 50, new RandomStream(3, "init", 52))) {
      expect(inst.numQubits).toBe(5);
      const ins = inserted(model1, inst);
      expect(ins[2]).toEqual([{ op: "cry", control: 0, target: 3, angle: 2 * Math.asin(Math.sqrt(total)) }, { op: "cx", control: 3, target: 0 }]);
      expect(ins[3]).toEqual([{ op: "cry", control: 2, target: 4, angle: 2 * Math.asin(Math.sqrt(total)) }, { op: "cx", control: 4, target: 2 }]);
    }
  });

  it("thermal dephasing: rz(pi) after the damping with probability (1 - exp(-t/T2 + t/(2 T1)))/2", () => {
    const [t1, t2, time] = [40e-6, 20e-6, 15e-6];
    const pz = (1 - Math.exp(-time / t2 + time / (2 * t1))) / 2;
    const n = 10000;
    let flips = 0;
    const circuit = model2(0.4, 0.7);
    for (const inst of noisyCircuitInstances(circuit, roles2, noiseModel({ thermalRelaxation: { t1, t2, time } }), n, new RandomStream(4, "init", 53))) {
      const ins = inserted(circuit, inst);
      // Before the cz (index 2): cry, cx, and maybe rz(pi) on the neuron; nothing on the ancilla.
      expect(kind(ins[2]).startsWith("cry cx")).toBe(true);
      if (ins[2].length === 3) {
        expect(ins[2][2]).toEqual({ op: "rz", qubit: 0, angle: Math.PI });
        flips++;
      }
      expect(ins[4]).toEqual([]);
    }
    expect(withinBinomial(flips, n, pz)).toBe(true);
  });

  it("Model 2 ancilla depolarizing: a Pauli on the ancilla right before its measurement, the neuron untouched", () => {
    const la = 0.4, n = 10000;
    let paulis = 0;
    const circuit = model2(0.4, 0.7);
    for (const inst of noisyCircuitInstances(circuit, roles2, noiseModel({ ancillaDepolarizing: la }), n, new RandomStream(5, "init", 54))) {
      const ins = inserted(circuit, inst);
      ins.slice(0, 4).forEach((ops) => expect(ops).toEqual([]));
      ins[4].forEach((o) => expect(o).toMatchObject({ qubit: 1 }));
      if (ins[4].length > 0) paulis++;
    }
    expect(withinBinomial(paulis, n, (3 * la) / 4)).toBe(true);
  });

  it("skips empty slots and rejects roles that do not fit the circuit", () => {
    const model = noiseModel({ depolarizing: 1, amplitudeDamping: 0.2 });
    const inst = noisyCircuitInstance(model1, { neuronQubits: [0, 1, 2], ancillaQubits: [] }, model, new RandomStream(6, "init", 55));
    expect(inst.numQubits).toBe(5); // qubit 1 has no ops: no ancilla for it
    expect(() => noisyCircuitInstance(model1, { neuronQubits: [0, 3], ancillaQubits: [] }, model, new RandomStream(6, "init", 55))).toThrow(/^invalid neuronQubits: 3 \(allowed: qubits 0\.\.2 of the circuit\)$/);
    expect(() => noisyCircuitInstance(model2(1, 1), { neuronQubits: [0], ancillaQubits: [0] }, model, new RandomStream(6, "init", 55))).toThrow(/each qubit in one role once/);
    const unread: Circuit = { numQubits: 1, numClbits: 0, ops: [{ op: "ry", qubit: 0, angle: 1 }] };
    expect(() => noisyCircuitInstance(unread, { neuronQubits: [0], ancillaQubits: [] }, model, new RandomStream(6, "init", 55))).toThrow(/^invalid neuron qubit: 0/);
  });

  it("readout error flips a 0 with probability p01 and a 1 with p10, on every bit of every shot", () => {
    const [p01, p10, n] = [0.1, 0.3, 20000];
    const rng = new RandomStream(7, "init", 56);
    const shots = Array.from({ length: n }, () => Uint8Array.from([0, 1]));
    const flipped = applyReadoutErrors([[shots]], { p01, p10 }, rng)[0][0];
    expect(withinBinomial(flipped.filter((s) => s[0] === 1).length, n, p01)).toBe(true);
    expect(withinBinomial(flipped.filter((s) => s[1] === 0).length, n, p10)).toBe(true);
    expect(Array.from(applyReadoutError([0, 1, 1], { p01: 0, p10: 0 }, rng))).toEqual([0, 1, 1]);
  });
});

describe("noise as gates realises the noisy layer's probabilities (state-vector simulation of each instance)", () => {
  const full: NoiseModel = noiseModel({ depolarizing: 0.2, amplitudeDamping: 0.1, thermalRelaxation: { t1: 30e-6, t2: 25e-6, time: 12e-6 }, readout: { p01: 0.05, p10: 0.12 }, ancillaDepolarizing: 0.3 });
  const instances = 4000;
  /** Mean over instances of P(c[clbit] = 0) with its standard error, then the readout confusion applied exactly. */
  const reportedZero = (circuit: Circuit, roles: { neuronQubits: number[]; ancillaQubits: number[] }, model: NoiseModel, clbit: number, seed: number) => {
    const ps = noisyCircuitInstances(circuit, roles, model, instances, new RandomStream(seed, "init", 60)).map((c) => probabilitiesOfZero(c)[clbit]);
    const mean = ps.reduce((s, p) => s + p, 0) / ps.length;
    const sd = Math.sqrt(ps.reduce((s, p) => s + (p - mean) ** 2, 0) / (ps.length - 1) / ps.length);
    const { p01, p10 } = model.readout;
    return { p: (1 - p01) * mean + p10 * (1 - mean), sd: (1 - p01 - p10) * sd };
  };

  it("with no noise the simulated circuits give core's P(+1) = (1 + sin g cos alpha)/2 (checks the test simulator)", () => {
    for (const [alpha, g] of [[0.3, 0.5], [2.5, 1.2], [-1, 0.2]]) {
      expect(probabilitiesOfZero(model2(alpha, g))[0]).toBeCloseTo((1 + Math.sin(g) * Math.cos(alpha)) / 2, 12);
      expect(probabilitiesOfZero(model2cry(alpha, g))[0]).toBeCloseTo((1 + Math.sin(g) * Math.cos(alpha)) / 2, 12);
    }
  });

  it("Model 1 (g = pi/2): every channel at once", () => {
    for (const clbit of [0, 1]) {
      const alpha = [0.8, 2.1][clbit];
      const { p, sd } = reportedZero(model1, roles1, full, clbit, 10 + clbit);
      expect(Math.abs(p - noisyProbPlus(full, alpha, HALF_PI))).toBeLessThanOrEqual(Z * sd + 1e-12);
    }
  });

  it("Model 2 (g < pi/2), both circuit forms: every channel at once, with the ancilla's depolarizing", () => {
    for (const [alpha, g] of [[0.9, 0.6], [2.6, 1.1]]) for (const form of [model2, model2cry]) {
      const { p, sd } = reportedZero(form(alpha, g), roles2, full, 0, 20);
      expect(Math.abs(p - noisyProbPlus(full, alpha, g))).toBeLessThanOrEqual(Z * sd + 1e-12);
    }
  });
});
