import { ConfigError, HALF_PI } from "@natural-quantization/core";
import { describe, expect, it } from "vitest";
import {
  bindCircuit,
  builtinTarget,
  compileForTarget,
  layerBindings,
  layerCircuits,
  layerCost,
  layerTemplate,
  planLayer,
  unpackOutcomes,
  type Circuit,
} from "../src/index.js";
import { lineTarget } from "./support/line-target.js";
import { probOne, runWithMeasurements, seededRandom, stateVector } from "./support/simulator.js";

const PI = Math.PI;

describe("bit order: c[i] is the i-th unit of a block, outcome 0 is m' = +1", () => {
  it("projective: angles 0 and pi in known places give known bits and outcomes, across blocks", () => {
    const layout = planLayer(lineTarget(6), HALF_PI, { maxUnitsPerBlock: 3 });
    const angles = Float64Array.of(0, PI, PI, 0, 0, PI, PI);
    const circuits = layerCircuits(layout, angles);
    expect(circuits.map((c) => c.numClbits)).toEqual([3, 3, 1]);
    const bits = circuits.map(runWithMeasurements);
    expect(bits).toEqual([[0, 1, 1], [0, 0, 1], [1]]);
    expect(Array.from(unpackOutcomes(layout, angles.length, bits))).toEqual([1, -1, -1, 1, 1, -1, -1]);
  });

  it("weak: slot i's ancilla marginal is P(1) = (1 - sin g cos angle_i)/2 and is read into c[i]", () => {
    const g = 0.7;
    const layout = planLayer(lineTarget(8), g);
    expect(layout.neuronQubits.length).toBe(4);
    const angles = Float64Array.of(0, PI, 2.0, -1.1);
    const [circuit] = layerCircuits(layout, angles);
    const state = stateVector(circuit);
    angles.forEach((angle, i) => {
      const ancilla = layout.ancillaQubits[i];
      expect(Math.abs(probOne(state, ancilla) - (1 - Math.sin(g) * Math.cos(angle)) / 2)).toBeLessThan(1e-12);
      expect(circuit.ops).toContainEqual({ op: "measure", qubit: ancilla, clbit: i });
    });
  });

  it("weak near g = pi/2: bits are (almost surely) the projective ones, in slot order", () => {
    const layout = planLayer(lineTarget(8), HALF_PI - 1e-9);
    const angles = Float64Array.of(PI, 0, 0, PI, PI);
    const bits = layerCircuits(layout, angles).map(runWithMeasurements);
    expect(Array.from(unpackOutcomes(layout, angles.length, bits))).toEqual([-1, 1, 1, -1, -1]);
  });

  it("rejects bits that are not 0/1 and the wrong number of blocks", () => {
    const layout = planLayer(lineTarget(2), HALF_PI);
    expect(() => unpackOutcomes(layout, 3, [[0, 1]])).toThrow(/expected the bits of 2 blocks/);
    expect(() => unpackOutcomes(layout, 2, [[0, 2]])).toThrow(/bit 1 is 2/);
  });
});

describe("blocks as one template plus binding rows", () => {
  for (const g of [HALF_PI, 0.4]) {
    it(`bound rows equal the concrete circuits (g = ${g.toFixed(3)})`, () => {
      const layout = planLayer(builtinTarget("eagle"), g, { maxUnitsPerBlock: 5 });
      const rand = seededRandom(3);
      const angles = Float64Array.from({ length: 13 }, () => (rand() * 2 - 1) * PI);
      const template = layerTemplate(layout);
      expect(template.numParams).toBe(5);
      const rows = layerBindings(layout, angles);
      const concrete = layerCircuits(layout, angles);
      expect(rows.length).toBe(3);
      expect(rows[2]).toEqual([angles[10], angles[11], angles[12], 0, 0]);
      for (let b = 0; b < 2; b++) expect(bindCircuit(template, rows[b])).toEqual(concrete[b]);
      // The padded last row runs two idle slots more; its first three slots are the concrete last block.
      const last = bindCircuit(template, rows[2]);
      const unitOps = (c: Circuit, slots: number) => c.ops.filter((op) => op.op !== "measure" || op.clbit < slots);
      expect(unitOps(last, 3).filter((op) => concrete[2].ops.some((o) => JSON.stringify(o) === JSON.stringify(op))).length).toBe(concrete[2].ops.length);
    });
  }
});

describe("layouts on the built-in targets", () => {
  for (const name of ["heron", "eagle"] as const) {
    it(`${name}: Model 1 uses every qubit; Model 2 pairs are coupled, disjoint and in a listed direction`, () => {
      const target = builtinTarget(name);
      expect(planLayer(target, HALF_PI).neuronQubits).toEqual(Array.from({ length: target.numQubits }, (_, i) => i));
      const weak = planLayer(target, 1.0);
      const listed = new Set(target.couplingMap.map(([a, b]) => `${a},${b}`));
      const used = [...weak.neuronQubits, ...weak.ancillaQubits];
      expect(new Set(used).size).toBe(used.length);
      weak.neuronQubits.forEach((n, i) => expect(listed.has(`${n},${weak.ancillaQubits[i]}`)).toBe(true));
      // Heavy-hex is bipartite, so no matching has more pairs than the smaller colour class has
      // qubits; reaching that bound proves the matching maximum.
      expect(weak.neuronQubits.length).toBe(smallerColourClass(target.numQubits, target.couplingMap));
    });
  }

  it("reports the cost of a layer", () => {
    const target = builtinTarget("eagle");
    // The authors' network: 16 neurons per layer; 96 units per block as in their runs.
    const model1 = layerCost(planLayer(target, HALF_PI, { maxUnitsPerBlock: 96 }), 16 * 100);
    expect(model1).toEqual({
      units: 1600,
      unitsPerBlock: 96,
      blocks: 17,
      qubitsPerBlock: 96,
      twoQubitGatesPerBlock: 0,
      programsWithBindings: 1,
      programsWithoutBindings: 17,
    });
    const weak = planLayer(target, 0.5);
    const cost = layerCost(weak, 512);
    expect(cost.qubitsPerBlock).toBe(2 * weak.neuronQubits.length);
    expect(cost.blocks).toBe(Math.ceil(512 / weak.neuronQubits.length));
    expect(cost.twoQubitGatesPerBlock).toBe(weak.neuronQubits.length);
    // Counted, not assumed: the compiled block has that many native two-qubit gates, twice as many in the cry form.
    for (const form of ["cz", "cry"] as const) {
      const layout = planLayer(target, 0.5, { weakForm: form });
      const compiled = compileForTarget(layerTemplate(layout), target);
      expect(compiled.ops.filter((op) => op.op === "ecr").length).toBe(layerCost(layout, 1000).twoQubitGatesPerBlock);
    }
  });

  it("rejects bad input with one-line errors", () => {
    const target = lineTarget(3);
    expect(() => planLayer(target, 2)).toThrow(new ConfigError("g", 2, "0 <= g <= pi/2"));
    expect(() => planLayer(target, 0.5, { qubits: [0, 7] })).toThrow(/invalid qubits: 7 \(allowed: integers 0..2/);
    expect(() => planLayer(target, 0.5, { qubits: [0, 2] })).toThrow(/at least one pair of usable coupled qubits/);
    expect(() => layerCircuits(planLayer(target, HALF_PI), Float64Array.of(0, Number.NaN))).toThrow(/invalid angles\[1\]: NaN/);
  });
});

/** Size of the smaller side of a 2-colouring (BFS); fails the test if the graph is not bipartite. */
function smallerColourClass(n: number, edges: readonly (readonly [number, number])[]): number {
  const adj = Array.from({ length: n }, () => [] as number[]);
  for (const [a, b] of edges) {
    adj[a].push(b);
    adj[b].push(a);
  }
  const colour = new Array<number>(n).fill(-1);
  const count = [0, 0];
  for (let s = 0; s < n; s++) {
    if (colour[s] >= 0) continue;
    colour[s] = 0;
    const queue = [s];
    while (queue.length) {
      const q = queue.shift()!;
      count[colour[q]]++;
      for (const r of adj[q]) {
        if (colour[r] < 0) {
          colour[r] = 1 - colour[q];
          queue.push(r);
        } else expect(colour[r]).not.toBe(colour[q]);
      }
    }
  }
  return Math.min(count[0], count[1]);
}
