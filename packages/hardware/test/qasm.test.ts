import { CapabilityError, HALF_PI } from "@natural-quantization/core";
import { describe, expect, it } from "vitest";
import {
  builtinTarget,
  compileForTarget,
  formatReal,
  layerCircuits,
  layerTemplate,
  LocalProvider,
  parameterName,
  planLayer,
  QASM2_ECR_DEFINITION,
  toQasm2,
  toQasm3,
  type Circuit,
  type Operation,
} from "../src/index.js";
import { lineTarget } from "./support/line-target.js";
import { probOne, seededRandom, stateVector, type Complex } from "./support/simulator.js";
import { importQasm2 } from "../src/providers/qasm2-import.js";
import { loadQuantumCircuit } from "../src/providers/quantum-circuit-loader.js";

const rand = seededRandom(5);

describe("OpenQASM 3 in IBM's ISA form", () => {
  it("prints a compiled Model 1 template as Qiskit's exporter prints an ISA circuit", () => {
    const target = lineTarget(3);
    const compiled = compileForTarget(layerTemplate(planLayer(target, HALF_PI)), target);
    expect(toQasm3(compiled)).toBe(
      [
        "OPENQASM 3.0;",
        'include "stdgates.inc";',
        "input float[64] p0;",
        "input float[64] p1;",
        "input float[64] p2;",
        "bit[3] c;",
        "sx $0;",
        "rz(p0 + 3.141592653589793) $0;",
        "sx $0;",
        "sx $1;",
        "rz(p1 + 3.141592653589793) $1;",
        "sx $1;",
        "sx $2;",
        "rz(p2 + 3.141592653589793) $2;",
        "sx $2;",
        "c[0] = measure $0;",
        "c[1] = measure $1;",
        "c[2] = measure $2;",
        "",
      ].join("\n"),
    );
  });

  it("has no gate definitions, no id, only $k qubits and native gates for Heron and Eagle", () => {
    for (const name of ["heron", "eagle"] as const) {
      const target = builtinTarget(name);
      const text = toQasm3(compileForTarget(layerTemplate(planLayer(target, 0.7)), target));
      expect(text).not.toMatch(/\bgate\b|\bid\b|qubit|qreg|creg|->/);
      const gates = new Set(
        text
          .split("\n")
          .slice(2)
          .filter((l) => l && !l.startsWith("input") && !l.startsWith("bit[") && !l.includes("measure"))
          .map((l) => l.split(/[ (]/)[0]),
      );
      for (const g of gates) expect(target.basisGates).toContain(g);
      for (const g of ["rz", "sx", target.basisGates[3]]) expect(gates.has(g)).toBe(true);
      expect(text).toMatch(/^c\[0\] = measure \$\d+;$/m);
    }
  });

  it("names parameters with equal width so that sorting by name keeps their order", () => {
    expect(Array.from({ length: 11 }, (_, i) => parameterName(i, 11))).toEqual(["p00", "p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09", "p10"]);
    const names = Array.from({ length: 120 }, (_, i) => parameterName(i, 120));
    expect([...names].sort()).toEqual(names);
  });

  it("prints parameter expressions scale*p + offset", () => {
    const c: Circuit = {
      numQubits: 1,
      numClbits: 0,
      numParams: 2,
      ops: [
        { op: "rz", qubit: 0, angle: { param: 1, scale: -0.5, offset: -Math.PI } },
        { op: "rz", qubit: 0, angle: { param: 0, scale: -1, offset: 0 } },
      ],
    };
    expect(toQasm3(c).split("\n").slice(-3, -1)).toEqual(["rz(-0.5*p1 - 3.141592653589793) $0;", "rz(-p0) $0;"]);
  });
});

describe("numbers round-trip exactly", () => {
  it("every angle printed in OpenQASM 3 and 2 reads back as the same double", () => {
    const target = builtinTarget("heron");
    const layout = planLayer(target, 0.9, { maxUnitsPerBlock: 40 });
    const angles = Float64Array.from({ length: 40 }, () => (rand() * 2 - 1) * 10 ** (rand() * 12 - 9));
    const compiled = compileForTarget(layerCircuits(layout, angles)[0], target);
    const expected = compiled.ops.flatMap((op) => ("angle" in op && typeof op.angle === "number" ? [op.angle] : []));
    for (const text of [toQasm3(compiled), toQasm2(compiled)]) {
      const printed = [...text.matchAll(/^rz\(([^)]*)\)/gm)].map((m) => Number(m[1]));
      expect(printed).toEqual(expected);
    }
    for (const x of [1e-7, -2.5e-12, 1e21, 0.1 + 0.2, 5e-324]) expect(Number(formatReal(x))).toBe(x);
    expect(formatReal(1e-7)).toBe("1.0e-7");
  });
});

describe("OpenQASM 2 for quantum-circuit", () => {
  it("prints registers, measurements and barriers in the 2.0 form", () => {
    const c: Circuit = {
      numQubits: 3,
      numClbits: 2,
      ops: [
        { op: "ry", qubit: 2, angle: 0.25 },
        { op: "barrier", qubits: [0, 2] },
        { op: "measure", qubit: 2, clbit: 1 },
      ],
    };
    expect(toQasm2(c)).toBe(
      ['OPENQASM 2.0;', 'include "qelib1.inc";', "qreg q[3];", "creg c[2];", "ry(0.25) q[2];", "barrier q[0],q[2];", "measure q[2] -> c[1];", ""].join("\n"),
    );
  });

  it("keeps ecr native: declared once in the header, applied as `ecr`, equal to Qiskit's ECR matrix on quantum-circuit", () => {
    // Qiskit's ECRGate matrix, basis index = q0 + 2 q1, control q0: (1/sqrt2) [[0,1,0,i],[1,0,-i,0],[0,i,0,1],[-i,0,1,0]].
    const s = Math.SQRT1_2;
    const ecr: Complex[][] = [
      [{ re: 0, im: 0 }, { re: s, im: 0 }, { re: 0, im: 0 }, { re: 0, im: s }],
      [{ re: s, im: 0 }, { re: 0, im: 0 }, { re: 0, im: -s }, { re: 0, im: 0 }],
      [{ re: 0, im: 0 }, { re: 0, im: s }, { re: 0, im: 0 }, { re: s, im: 0 }],
      [{ re: 0, im: -s }, { re: 0, im: 0 }, { re: s, im: 0 }, { re: 0, im: 0 }],
    ];
    for (let trial = 0; trial < 10; trial++) {
      const prep: Operation[] = [0, 1].flatMap((q): Operation[] => [
        { op: "ry", qubit: q, angle: rand() * 6 },
        { op: "rz", qubit: q, angle: rand() * 6 },
      ]);
      const input = stateVector({ numQubits: 2, numClbits: 0, ops: prep });
      const withEcr: Circuit = { numQubits: 2, numClbits: 0, ops: [...prep, { op: "ecr", control: 0, target: 1 }] };
      const text = toQasm2(withEcr);
      expect(text.split("\n").filter((l) => l.startsWith("gate "))).toEqual([QASM2_ECR_DEFINITION]);
      expect(text).toContain("\necr q[0],q[1];\n");
      // The body after the header is in the circuit's own gates: no h / cx expansion of the ecr.
      expect(text.slice(text.indexOf("qreg")).match(/^(cx|h) /m)).toBeNull();
      const out = stateVector(withEcr);
      const want = ecr.map((row) =>
        row.reduce((acc, m, j) => ({ re: acc.re + m.re * input[j].re - m.im * input[j].im, im: acc.im + m.re * input[j].im + m.im * input[j].re }), { re: 0, im: 0 }),
      );
      // Equal up to one global phase: |<want|out>| = 1.
      let re = 0;
      let im = 0;
      want.forEach((w, i) => {
        re += w.re * out[i].re + w.im * out[i].im;
        im += w.re * out[i].im - w.im * out[i].re;
      });
      expect(Math.abs(Math.hypot(re, im) - 1)).toBeLessThan(1e-12);
    }
  });

  it("a Model 2 block compiled for a directed ecr device stays native in OpenQASM 2 and keeps the closed-form ancilla marginals", async () => {
    const target = lineTarget(6, ["rz", "sx", "x", "ecr"], true);
    const g = 0.7;
    const layout = planLayer(target, g);
    const angles = Float64Array.of(0.3, 2.5, -1.2);
    const [block] = layerCircuits(layout, angles);
    const compiled = compileForTarget(block, target);
    const text = toQasm2(compiled);
    const body = text.slice(text.indexOf("qreg"));
    expect(body.match(/^ecr /gm)).toHaveLength(3);
    expect(body.match(/^(cx|cz|h) /m)).toBeNull();
    const state = stateVector(compiled);
    angles.forEach((a, i) => expect(Math.abs(probOne(state, layout.ancillaQubits[i]) - (1 - Math.sin(g) * Math.cos(a)) / 2)).toBeLessThan(1e-12));
    // The local provider reads the declared gate too.
    await loadQuantumCircuit();
    const imported = importQasm2(text);
    expect(imported.gates.some((x) => x.name === "cx")).toBe(true);
    expect(imported.gates.some((x) => x.name === "ecr")).toBe(false);
    const [[shots]] = await new LocalProvider({ numQubits: 6, seed: 1 }).run({ pubs: [{ program: text, clbits: 3, bindings: null }], shots: 4000 });
    angles.forEach((a, i) => {
      const p = (1 - Math.sin(g) * Math.cos(a)) / 2;
      const ones = shots.filter((bits) => bits[i] === 1).length;
      expect(Math.abs(ones / 4000 - p)).toBeLessThan(4.5 * Math.sqrt((p * (1 - p)) / 4000));
    });
  });

  it("refuses templates and gates OpenQASM 3's stdgates.inc lacks, with the fix", () => {
    const template = layerTemplate(planLayer(lineTarget(2), HALF_PI));
    expect(() => toQasm2(template)).toThrow(CapabilityError);
    expect(() => toQasm2(template)).toThrow(/bind the template \(bindCircuit\) or emit OpenQASM 3/);
    expect(() => toQasm3({ numQubits: 1, numClbits: 0, ops: [{ op: "sxdg", qubit: 0 }] })).toThrow(/compile the circuit for a target first/);
    expect(() => toQasm3({ numQubits: 1, numClbits: 0, ops: [{ op: "x", qubit: 3 }] })).toThrow(/invalid qubit: 3 \(allowed: 0..0\)/);
  });
});
