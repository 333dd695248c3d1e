import { CapabilityError, HALF_PI } from "@natural-quantization/core";
import { describe, expect, it } from "vitest";
import {
  bindCircuit,
  builtinTarget,
  compileForTarget,
  layerBindings,
  layerCircuits,
  layerTemplate,
  planLayer,
  splitIndependentGroups,
  type Circuit,
  type Gate,
  type Operation,
  type Target,
} from "../src/index.js";
import { lineTarget } from "./support/line-target.js";
import { globalPhaseDistance, perOutcomeDistance, seededRandom, stateVector } from "./support/simulator.js";

const TOL = 1e-9;
const rand = seededRandom(11);
const angle = (): number => (rand() * 2 - 1) * Math.PI;

function expectNative(circuit: Circuit, target: Target): void {
  const basis = new Set(target.basisGates);
  const listed = new Set(target.couplingMap.map(([a, b]) => `${a},${b}`));
  for (const op of circuit.ops) {
    if (op.op === "measure" || op.op === "barrier") continue;
    expect(basis.has(op.op), `${op.op} is not in [${target.basisGates.join(", ")}]`).toBe(true);
    if ("control" in op) {
      const ok = op.op === "cz" ? listed.has(`${op.control},${op.target}`) || listed.has(`${op.target},${op.control}`) : listed.has(`${op.control},${op.target}`);
      expect(ok, `${op.op} ${op.control},${op.target} against the coupling map`).toBe(true);
    }
  }
}

/** A random product state on qubits 0 and 1, then the gate under test. */
function withRandomInput(gate: Gate): Circuit {
  const prep: Operation[] = [0, 1].flatMap((q): Operation[] => [
    { op: "ry", qubit: q, angle: angle() },
    { op: "rz", qubit: q, angle: angle() },
  ]);
  return { numQubits: 2, numClbits: 0, ops: [...prep, gate] };
}

describe("each translation rule equals its gate up to global phase (quantum-circuit state vectors)", () => {
  const targets: Target[] = [
    lineTarget(2, ["rz", "sx", "x", "cz"]),
    lineTarget(2, ["rz", "sx", "ecr"], true),
    lineTarget(2, ["rz", "sx", "x", "cx"], true),
  ];
  const gates = (): Gate[] => [
    { op: "ry", qubit: 0, angle: angle() },
    { op: "rx", qubit: 1, angle: angle() },
    { op: "h", qubit: 0 },
    { op: "sxdg", qubit: 1 },
    { op: "x", qubit: 0 },
    { op: "cz", control: 0, target: 1 },
    { op: "cz", control: 1, target: 0 },
    { op: "cx", control: 0, target: 1 },
    { op: "cx", control: 1, target: 0 },
    { op: "ecr", control: 0, target: 1 },
    { op: "ecr", control: 1, target: 0 },
    { op: "cry", control: 0, target: 1, angle: angle() },
    { op: "cry", control: 1, target: 0, angle: angle() },
  ];
  for (const target of targets) {
    it(`basis [${target.basisGates.join(", ")}]${target.couplingMap.length === 1 ? " with one direction 0 -> 1" : ""}`, () => {
      for (let trial = 0; trial < 6; trial++) {
        for (const gate of gates()) {
          const circuit = withRandomInput(gate);
          const compiled = compileForTarget(circuit, target);
          expectNative(compiled, target);
          expect(globalPhaseDistance(stateVector(circuit), stateVector(compiled)), `${gate.op} on ${target.basisGates}`).toBeLessThan(TOL);
        }
      }
    });
  }
});

describe("compiled layer circuits equal the uncompiled ones per measurement outcome", () => {
  const cases: { name: "heron" | "eagle"; g: number; form: "cz" | "cry" }[] = [];
  for (const name of ["heron", "eagle"] as const) {
    cases.push({ name, g: HALF_PI, form: "cz" });
    for (let i = 0; i < 6; i++) {
      const g = rand() * HALF_PI * 0.999;
      cases.push({ name, g, form: "cz" }, { name, g, form: "cry" });
    }
    cases.push({ name, g: 0, form: "cz" });
  }
  for (const { name, g, form } of cases) {
    it(`${name}, g = ${g.toFixed(4)}, ${form} form`, () => {
      const target = builtinTarget(name);
      // A window of the chip so each unit's qubits can be simulated; units are independent groups.
      const layout = planLayer(target, g, { weakForm: form, qubits: Array.from({ length: 30 }, (_, i) => 40 + i), maxUnitsPerBlock: 6 });
      const angles = Float64Array.from({ length: 6 }, () => angle() * 2);
      const [circuit] = layerCircuits(layout, angles);
      const compiled = compileForTarget(circuit, target);
      expectNative(compiled, target);
      const before = splitIndependentGroups(circuit);
      const after = splitIndependentGroups(compiled);
      expect(after.map((x) => [x.qubits, x.clbits])).toEqual(before.map((x) => [x.qubits, x.clbits]));
      before.forEach((group, i) => {
        const measured = group.circuit.ops.flatMap((op) => (op.op === "measure" ? [op.qubit] : []));
        expect(perOutcomeDistance(stateVector(group.circuit), stateVector(after[i].circuit), measured)).toBeLessThan(TOL);
      });
    });
  }
});

describe("whole compiled blocks on the full chips equal the uncompiled ones per outcome", () => {
  for (const name of ["heron", "eagle"] as const) {
    for (const [g, form] of [[HALF_PI, "cz"], [0.9, "cz"], [0.3, "cry"]] as const) {
      it(`${name}, g = ${g.toFixed(3)}, ${form} form, every unit of one block`, () => {
        const target = builtinTarget(name);
        const layout = planLayer(target, g, { weakForm: form });
        const angles = Float64Array.from({ length: layout.neuronQubits.length }, () => angle() * 2);
        const [circuit] = layerCircuits(layout, angles);
        const compiled = compileForTarget(circuit, target);
        expectNative(compiled, target);
        const before = splitIndependentGroups(circuit);
        const after = splitIndependentGroups(compiled);
        expect(before.length).toBe(layout.neuronQubits.length);
        expect(after.map((x) => [x.qubits, x.clbits])).toEqual(before.map((x) => [x.qubits, x.clbits]));
        before.forEach((group, i) => {
          const measured = group.circuit.ops.flatMap((op) => (op.op === "measure" ? [op.qubit] : []));
          expect(perOutcomeDistance(stateVector(group.circuit), stateVector(after[i].circuit), measured)).toBeLessThan(TOL);
        });
      });
    }
  }
});

describe("templates", () => {
  for (const name of ["heron", "eagle"] as const) {
    for (const [g, form] of [[HALF_PI, "cz"], [0.6, "cz"], [0.6, "cry"]] as const) {
      it(`${name}, g = ${g.toFixed(3)}, ${form}: compiled template, bound, equals the compiled concrete circuit`, () => {
        const target = builtinTarget(name);
        const layout = planLayer(target, g, { weakForm: form });
        const angles = Float64Array.from({ length: 2 * layout.neuronQubits.length }, () => angle() * 2);
        const compiledTemplate = compileForTarget(layerTemplate(layout), target);
        expect(compiledTemplate.numParams).toBe(layout.neuronQubits.length);
        const rows = layerBindings(layout, angles);
        const concrete = layerCircuits(layout, angles);
        rows.forEach((row, b) => expect(bindCircuit(compiledTemplate, row)).toEqual(compileForTarget(concrete[b], target)));
      });
    }
  }
});

describe("templates with scaled parameters", () => {
  it("cry(p + 0.3), rx(-2p + 1): compiled, bound, equals compiled concrete; binding evaluates scale*p + offset", () => {
    const target = lineTarget(2, ["rz", "sx", "ecr"], true);
    const template: Circuit = {
      numQubits: 2,
      numClbits: 1,
      numParams: 2,
      ops: [
        { op: "rx", qubit: 0, angle: { param: 1, scale: -2, offset: 1 } },
        { op: "cry", control: 1, target: 0, angle: { param: 0, scale: 1, offset: 0.3 } },
        { op: "measure", qubit: 0, clbit: 0 },
      ],
    };
    for (let trial = 0; trial < 5; trial++) {
      const row = [angle(), angle()];
      const bound = bindCircuit(template, row);
      expect(bound.ops[0]).toEqual({ op: "rx", qubit: 0, angle: -2 * row[1] + 1 });
      // Same gates; angles equal up to rounding (0.5*p + (0.15 + pi) vs (0.5*(p + 0.3)) + pi).
      const viaTemplate = bindCircuit(compileForTarget(template, target), row);
      const direct = compileForTarget(bound, target);
      expect(viaTemplate.ops.map((op) => ({ ...op, angle: 0 }))).toEqual(direct.ops.map((op) => ({ ...op, angle: 0 })));
      viaTemplate.ops.forEach((op, i) => {
        const other = direct.ops[i];
        if ("angle" in op && "angle" in other) expect(Math.abs((op.angle as number) - (other.angle as number))).toBeLessThanOrEqual(1e-15 * (4 + Math.abs(op.angle as number)));
      });
      expect(perOutcomeDistance(stateVector(bound), stateVector(compileForTarget(bound, target)), [0])).toBeLessThan(TOL);
    }
    expect(() => bindCircuit(template, [1])).toThrow(/invalid binding row length: 1 \(allowed: exactly 2/);
  });
});

describe("the compiler keeps to level 0", () => {
  it("ry before a measurement becomes sx; rz(t + pi); sx (the final rz(pi) dropped); barriers stay", () => {
    const target = lineTarget(2);
    const t = 0.3;
    const compiled = compileForTarget(
      {
        numQubits: 2,
        numClbits: 1,
        ops: [
          { op: "ry", qubit: 0, angle: t },
          { op: "barrier", qubits: [0, 1] },
          { op: "ry", qubit: 1, angle: t },
          { op: "measure", qubit: 0, clbit: 0 },
        ],
      },
      target,
    );
    expect(compiled.ops).toEqual([
      { op: "sx", qubit: 0 },
      { op: "rz", qubit: 0, angle: t + Math.PI },
      { op: "sx", qubit: 0 },
      { op: "barrier", qubits: [0, 1] },
      { op: "sx", qubit: 1 },
      { op: "rz", qubit: 1, angle: t + Math.PI },
      { op: "sx", qubit: 1 },
      { op: "rz", qubit: 1, angle: Math.PI },
      { op: "measure", qubit: 0, clbit: 0 },
    ]);
  });

  it("names the basis and what is supported when it cannot compile", () => {
    const circuit: Circuit = { numQubits: 2, numClbits: 0, ops: [{ op: "ry", qubit: 0, angle: 1 }] };
    const u3 = { ...lineTarget(2), name: "odd", basisGates: ["u3", "cz"] };
    expect(() => compileForTarget(circuit, u3)).toThrow(CapabilityError);
    expect(() => compileForTarget(circuit, u3)).toThrow(/cannot compile ry \(via sx\) for target odd with basis \[u3, cz\]: supported are single-qubit: .*two-qubit: cz, ecr or cx/);
    const apart: Circuit = { numQubits: 3, numClbits: 0, ops: [{ op: "cz", control: 0, target: 2 }] };
    expect(() => compileForTarget(apart, lineTarget(3))).toThrow(/qubits 0 and 2 are not coupled on target line-3/);
    const noTwoQubit = { ...lineTarget(2), basisGates: ["rz", "sx"] };
    expect(() => compileForTarget({ numQubits: 2, numClbits: 0, ops: [{ op: "cz", control: 0, target: 1 }] }, noTwoQubit)).toThrow(/cannot compile cz/);
  });
});
