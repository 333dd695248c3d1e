import { describe, expect, it } from "vitest";
import { RandomStream } from "@natural-quantization/core";
import type { Circuit, Gate } from "../../src/circuit.js";
import { compileForTarget } from "../../src/compile.js";
import { layerCircuits, planLayer } from "../../src/layer-circuits.js";
import { noiseFromTarget } from "../../src/noise/index.js";
import { toQasm2 } from "../../src/qasm.js";
import { ionqProgram } from "../../src/providers/ionq-circuits.js";
import { targetFromIonq } from "../../src/providers/ionq-target.js";
import { outcomeDistribution } from "../../src/providers/outcome-distribution.js";
import { importQasm2 } from "../../src/providers/qasm2-import.js";
import { loadQuantumCircuit } from "../../src/providers/quantum-circuit-loader.js";
import { wholeProgram } from "../../src/providers/qubit-components.js";
import { simulateIonqCircuit } from "./ionq-statevector.js";

// Compilation to IonQ's native gates is checked per measurement outcome against two independent
// simulations: quantum-circuit (npm) runs the uncompiled circuit, and a state-vector written from
// IonQ's published gpi / gpi2 / ms matrices runs the JSON the provider would send.

const ionqLike = (qubits: number) =>
  targetFromIonq({ backend: "qpu.test", qubits }, {
    qubits,
    fidelity: { spam: { median: 0.995 }, "1q": { median: 0.9995 }, "2q": { median: 0.985 } },
    timing: { t1: 100, t2: 1, "1q": 0.000135, "2q": 0.0006, readout: 0.0003, reset: 0.00002 },
  });

/**
 * P(c = outcome) for every outcome of the classical register, by quantum-circuit on OpenQASM 2.
 * quantum-circuit knows gpi, gpi2 and ms itself; `viaDefinitions` renames them so it must expand
 * the definitions the emitted text carries instead.
 */
async function byQuantumCircuit(circuit: Circuit, viaDefinitions = false): Promise<Float64Array> {
  await loadQuantumCircuit();
  const text = viaDefinitions ? toQasm2(circuit).replace(/\b(gpi2|gpi|ms)\(/g, "def_$1(") : toQasm2(circuit);
  const program = importQasm2(text);
  const [component] = wholeProgram(program);
  const p = outcomeDistribution(component);
  const out = new Float64Array(1 << circuit.numClbits);
  const clbitOf = component.measured.map((q) => program.measurements.find((m) => m.qubit === q)!.clbit);
  p.forEach((v, idx) => {
    let o = 0;
    clbitOf.forEach((c, k) => (o |= ((idx >> k) & 1) << c));
    out[o] += v;
  });
  return out;
}

/** The same, by the IonQ-gate state-vector on the JSON circuit the provider sends. */
function byIonqGates(compiled: Circuit): Float64Array {
  const program = ionqProgram(toQasm2(compiled), compiled.numClbits, "test");
  const components = simulateIonqCircuit(program.circuit.qubits, program.circuit.circuit);
  const out = new Float64Array(1 << compiled.numClbits);
  const full = new Float64Array(1 << program.circuit.qubits);
  full.fill(0);
  // Joint distribution over all qubits, then summed onto the classical bits (bit q of a state is qubit q).
  const states: [number, number][] = [[0, 1]];
  let acc = states;
  for (const c of components) {
    const next: [number, number][] = [];
    for (const [s, p] of acc) c.probabilities.forEach((q, idx) => {
      if (q === 0) return;
      let t = s;
      c.qubits.forEach((qubit, k) => (t |= ((idx >> k) & 1) << qubit));
      next.push([t, p * q]);
    });
    acc = next;
  }
  for (const [s, p] of acc) {
    let o = 0;
    program.clbitQubits.forEach((q, c) => (o |= ((s >> q) & 1) << c));
    out[o] += p;
  }
  return out;
}

function expectSame(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-12);
}

describe("compilation to IonQ's native gates (gpi, gpi2, ms)", () => {
  it("the target's basis chooses the trapped-ion step: only gpi, gpi2 and ms come out, angles as radians", () => {
    const target = ionqLike(3);
    const c: Circuit = { numQubits: 3, numClbits: 2, ops: [{ op: "ry", qubit: 0, angle: 0.7 }, { op: "cz", control: 0, target: 2 }, { op: "h", qubit: 1 }, { op: "measure", qubit: 2, clbit: 0 }, { op: "measure", qubit: 1, clbit: 1 }] };
    const compiled = compileForTarget(c, target);
    const ops = new Set(compiled.ops.map((o) => o.op));
    for (const op of ops) expect(["gpi", "gpi2", "ms", "measure"]).toContain(op);
    expect(compiled.ops.filter((o) => o.op === "ms")).toHaveLength(1);
  });

  it("random circuits of every gate the layers use give the same outcome probabilities as the uncompiled circuit", async () => {
    const target = ionqLike(4);
    const stream = new RandomStream(9, "shuffle", 1);
    for (let trial = 0; trial < 25; trial++) {
      const ops: Circuit["ops"][number][] = [];
      for (let k = 0; k < 10; k++) {
        const q = stream.below(4);
        const r = (q + 1 + stream.below(3)) % 4;
        const angle = (stream.uniform() - 0.5) * 4 * Math.PI;
        const choices: Gate[] = [
          { op: "ry", qubit: q, angle }, { op: "rx", qubit: q, angle }, { op: "rz", qubit: q, angle }, { op: "h", qubit: q },
          { op: "x", qubit: q }, { op: "sx", qubit: q }, { op: "sxdg", qubit: q },
          { op: "cz", control: q, target: r }, { op: "cx", control: q, target: r }, { op: "cry", control: q, target: r, angle },
        ];
        ops.push(choices[stream.below(choices.length)]);
      }
      const circuit: Circuit = { numQubits: 4, numClbits: 4, ops: [...ops, ...[0, 1, 2, 3].map((q) => ({ op: "measure" as const, qubit: q, clbit: (q + trial) % 4 }))] };
      const compiled = compileForTarget(circuit, target);
      expectSame(byIonqGates(compiled), await byQuantumCircuit(circuit));
    }
  });

  it("Model 2's neuron/ancilla interaction runs on one ms per unit and equals the one-CZ form per outcome", async () => {
    const target = ionqLike(6);
    const g = 0.6;
    const layout = planLayer(target, g);
    expect(layout.weakForm).toBe("cz");
    expect(layout.ancillaQubits).toHaveLength(3);
    const angles = Float64Array.from([0.3, 2.1, -1.2, 4.0, 0.0, Math.PI]);
    for (const block of layerCircuits(layout, angles)) {
      expect(block.ops.filter((o) => o.op === "cz")).toHaveLength(3);
      const compiled = compileForTarget(block, target);
      expect(compiled.ops.filter((o) => o.op === "ms")).toHaveLength(3);
      expect(compiled.ops.filter((o) => "control" in o && o.op !== "ms")).toHaveLength(0);
      expectSame(byIonqGates(compiled), await byQuantumCircuit(block));
    }
  });

  it("the OpenQASM 2 definitions of gpi, gpi2 and ms match IonQ's matrices (quantum-circuit runs the compiled text)", async () => {
    const target = ionqLike(3);
    const c: Circuit = { numQubits: 3, numClbits: 3, ops: [{ op: "ry", qubit: 0, angle: 1.1 }, { op: "rx", qubit: 1, angle: -0.4 }, { op: "cz", control: 0, target: 1 }, { op: "cx", control: 1, target: 2 }, { op: "ry", qubit: 2, angle: 0.8 }, { op: "cz", control: 2, target: 0 }, ...[0, 1, 2].map((q) => ({ op: "measure" as const, qubit: q, clbit: q }))] };
    const compiled = compileForTarget(c, target);
    expect(toQasm2(compiled)).toMatch(/gate ms\(p0, p1\) a, b/);
    expectSame(await byQuantumCircuit(compiled), byIonqGates(compiled));
    expectSame(await byQuantumCircuit(compiled, true), byIonqGates(compiled));
  });

  it("breaking the cz rule is caught: an ms with a wrong phase changes the outcomes", async () => {
    const target = ionqLike(2);
    const c: Circuit = { numQubits: 2, numClbits: 2, ops: [{ op: "ry", qubit: 0, angle: 1.3 }, { op: "ry", qubit: 1, angle: 0.4 }, { op: "cz", control: 0, target: 1 }, { op: "ry", qubit: 1, angle: 0.9 }, { op: "measure", qubit: 0, clbit: 0 }, { op: "measure", qubit: 1, clbit: 1 }] };
    const compiled = compileForTarget(c, target);
    const broken: Circuit = { ...compiled, ops: compiled.ops.map((o) => (o.op === "ms" ? { ...o, phases: [o.phases[0] + 0.3, o.phases[1]] as const } : o)) };
    const ref = await byQuantumCircuit(c);
    const bad = byIonqGates(broken);
    expect(Math.max(...ref.map((p, i) => Math.abs(p - bad[i])))).toBeGreaterThan(1e-3);
  });

  it("noise from an IonQ characterization: gpi2 errors, ms errors, SPAM readout, T1/T2", () => {
    const noise = noiseFromTarget(ionqLike(4));
    expect(noise.readout.p01).toBeCloseTo(0.005, 12);
    expect(noise.depolarizing).toBeGreaterThan(0);
    expect(noise.ancillaDepolarizing).toBeGreaterThan(noise.depolarizing);
    expect(noise.thermalRelaxation).not.toBeNull();
  });
});
