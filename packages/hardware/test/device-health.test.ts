import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HALF_PI } from "@natural-quantization/core";
import {
  compileForTarget,
  deviceHealth,
  insertIdentityPairs,
  layerTemplate,
  loadTarget,
  planLayer,
  readoutError,
  targetFromIbm,
  writeTarget,
  type Circuit,
  type Target,
} from "../src/index.js";
import { ibmLikeBackend } from "./support/ibm-like.js";
import { lineTarget } from "./support/line-target.js";

const dir = mkdtempSync(join(tmpdir(), "nq-health-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const eagleLike = ibmLikeBackend("eagle");
const heronLike = ibmLikeBackend("heron");
const key = (a: number, b: number) => (a < b ? `${a},${b}` : `${b},${a}`);

describe("faulty elements read from IBM's properties", () => {
  it("marks qubits and gates that IBM reports with `operational` 0, and nothing else", () => {
    const t = targetFromIbm(eagleLike.configuration, eagleLike.properties);
    expect(t.qubits.flatMap((q, i) => (q.operational === false ? [i] : []))).toEqual([33]);
    const flagged = t.instructions.filter((i) => i.operational === false).map((i) => key(i.qubits[0], i.qubits[1]));
    expect(flagged).toEqual(["5,6"]);
  });

  it("lists what the layout avoids and why: not operational, dead couplers (gate_error 1 or operational 0), readout error above 0.1", () => {
    const h = deviceHealth(targetFromIbm(eagleLike.configuration, eagleLike.properties));
    expect(h.maxReadoutError).toBe(0.1);
    expect(h.avoidedQubits).toEqual([
      { qubit: 8, reason: "readout error 0.16 > 0.1" },
      { qubit: 33, reason: "not operational" },
      { qubit: 80, reason: "readout error 0.36 > 0.1" },
      { qubit: 121, reason: "readout error 0.5 > 0.1" },
    ]);
    expect(h.avoidedCouplers).toEqual([
      { qubits: [5, 6], reason: "ecr not operational" },
      { qubits: [40, 41], reason: "ecr gate_error 1 (dead)" },
      { qubits: [100, 110], reason: "ecr gate_error 1 (dead)" },
    ]);
    // The limit is a parameter: at 0.4 only the worst reader is left out for its readout.
    expect(deviceHealth(targetFromIbm(eagleLike.configuration, eagleLike.properties), 0.4).avoidedQubits.map((a) => a.qubit)).toEqual([33, 121]);
    expect(() => deviceHealth(lineTarget(2), 2)).toThrow(/invalid maxReadoutError: 2 \(allowed: a probability 0..1/);
  });

  it("target files keep `operational: false` (only where false) and reject anything but a boolean in one line", () => {
    const t = targetFromIbm(heronLike.configuration, heronLike.properties);
    const path = join(dir, "heron-like.json");
    writeTarget(path, t);
    expect(loadTarget(path)).toEqual(t);
    const raw = JSON.parse(JSON.stringify(t)) as { qubits: Record<string, unknown>[] };
    expect(raw.qubits.filter((q) => "operational" in q)).toHaveLength(1);
    raw.qubits[7].operational = "no";
    writeFileSync(path, JSON.stringify(raw));
    expect(() => loadTarget(path)).toThrow(/qubits\[7\]\.operational: "no" \(allowed: true or false \(absent means true\)\)/);
  });
});

/** Every check a device would make of a compiled circuit, plus ours: no avoided qubit or coupler. */
function checkOnDevice(circuit: Circuit, target: Target, avoidedQubits: ReadonlySet<number>, deadCouplers: ReadonlySet<string>): { twoQubit: number } {
  const listed = new Set(target.couplingMap.map(([a, b]) => `${a},${b}`));
  const basis = new Set(target.basisGates);
  let twoQubit = 0;
  for (const op of circuit.ops) {
    if (op.op === "barrier") continue;
    const qs = "control" in op ? [op.control, op.target] : [op.qubit];
    for (const q of qs) expect(avoidedQubits.has(q), `${op.op} on avoided qubit ${q}`).toBe(false);
    if (op.op === "measure") continue;
    expect(basis.has(op.op), `${op.op} is native`).toBe(true);
    if ("control" in op) {
      twoQubit++;
      expect(listed.has(`${op.control},${op.target}`), `${op.op} ${op.control},${op.target} in the coupling map's direction`).toBe(true);
      expect(deadCouplers.has(key(op.control, op.target)), `${op.op} on dead coupler ${op.control}-${op.target}`).toBe(false);
    }
  }
  return { twoQubit };
}

describe("layouts avoid faulty hardware and compile only in the coupling map's directions", () => {
  for (const [name, backend] of [["eagle-like (ecr, mixed directions)", eagleLike], ["heron-like (cz)", heronLike]] as const) {
    const target = targetFromIbm(backend.configuration, backend.properties);
    const avoidedQubits = new Set([...backend.faults.notOperationalQubits, ...backend.faults.badReadoutQubits]);
    const deadCouplers = new Set(backend.faults.deadCouplers.map(([a, b]) => key(a, b)));

    it(`${name}: Model 1 uses every qubit but the avoided ones; Model 2 pairs sit on working couplers between usable qubits`, () => {
      const m1 = planLayer(target, HALF_PI);
      expect([...m1.neuronQubits].sort((a, b) => a - b)).toEqual(Array.from({ length: target.numQubits }, (_, i) => i).filter((q) => !avoidedQubits.has(q)));
      const m2 = planLayer(target, 0.8);
      const coupled = new Set(target.couplingMap.map(([a, b]) => key(a, b)));
      const used = [...m2.neuronQubits, ...m2.ancillaQubits];
      expect(new Set(used).size).toBe(used.length);
      for (const q of used) expect(avoidedQubits.has(q)).toBe(false);
      m2.neuronQubits.forEach((n, i) => {
        expect(coupled.has(key(n, m2.ancillaQubits[i]))).toBe(true);
        expect(deadCouplers.has(key(n, m2.ancillaQubits[i]))).toBe(false);
        // The measured qubit of a pair is its better reader.
        expect(readoutError(target, m2.ancillaQubits[i])).toBeLessThanOrEqual(readoutError(target, n));
      });
      expect(m2.avoided.avoidedQubits.map((a) => a.qubit)).toEqual([...avoidedQubits].sort((a, b) => a - b));
      expect(new Set(m2.avoided.avoidedCouplers.map((c) => key(...c.qubits)))).toEqual(deadCouplers);
    });

    it(`${name}: a compiled Model 2 layer with identity pairs, and a Model 1 one, use no avoided element and no gate against the map`, () => {
      for (const g of [0.8, HALF_PI]) {
        const layout = planLayer(target, g);
        const compiled = compileForTarget(insertIdentityPairs(layerTemplate(layout), target, { k: 1 }), target);
        const { twoQubit } = checkOnDevice(compiled, target, avoidedQubits, deadCouplers);
        // Model 2: one native gate per pair, plus two per coupled used pair for the identity pair.
        expect(twoQubit).toBeGreaterThan(g < HALF_PI ? layout.neuronQubits.length : 0);
      }
    });
  }

  it("with fewer units per block than usable qubits, the best readers (and the cheapest pairs) are chosen, best first", () => {
    const target = targetFromIbm(eagleLike.configuration, eagleLike.properties);
    const usable = Array.from({ length: target.numQubits }, (_, i) => i).filter((q) => !planLayer(target, HALF_PI).avoided.avoidedQubits.some((a) => a.qubit === q));
    const chosen = planLayer(target, HALF_PI, { maxUnitsPerBlock: 20 }).neuronQubits;
    expect(chosen).toHaveLength(20);
    const worstChosen = Math.max(...chosen.map((q) => readoutError(target, q)));
    for (const q of usable.filter((q) => !chosen.includes(q))) expect(readoutError(target, q)).toBeGreaterThanOrEqual(worstChosen);
    const ro = chosen.map((q) => readoutError(target, q));
    expect(ro).toEqual([...ro].sort((a, b) => a - b));

    const all = planLayer(target, 0.8);
    const few = planLayer(target, 0.8, { maxUnitsPerBlock: 10 });
    expect(few.neuronQubits).toHaveLength(10);
    const cost = (l: typeof all, i: number) => {
      const [n, a] = [l.neuronQubits[i], l.ancillaQubits[i]];
      const gate = Math.min(...target.instructions.filter((x) => x.qubits.length === 2 && key(x.qubits[0], x.qubits[1]) === key(n, a)).map((x) => x.error));
      return gate + readoutError(target, a);
    };
    const fewCosts = few.neuronQubits.map((_, i) => cost(few, i));
    const allCosts = all.neuronQubits.map((_, i) => cost(all, i));
    expect(fewCosts).toEqual([...fewCosts].sort((a, b) => a - b));
    // No worse than the ten best pairs of the full layout.
    expect(fewCosts.reduce((s, x) => s + x, 0)).toBeLessThanOrEqual(allCosts.slice(0, 10).reduce((s, x) => s + x, 0) + 1e-15);
  });

  it("identity pairs skip a dead coupler between two measured qubits", () => {
    const base = lineTarget(3);
    const target: Target = {
      ...base,
      instructions: [
        { gate: "cz", qubits: [0, 1], error: 1, duration: null },
        { gate: "cz", qubits: [1, 0], error: 1, duration: null },
        { gate: "cz", qubits: [1, 2], error: 0.01, duration: null },
      ],
    };
    const layout = planLayer(target, HALF_PI);
    const padded = insertIdentityPairs(layerTemplate(layout), target, { k: 1 });
    const czPairs = padded.ops.filter((op) => op.op === "cz").map((op) => ("control" in op ? key(op.control, op.target) : ""));
    expect(czPairs).toEqual(["1,2", "1,2"]);
  });

  it("says so in one line when nothing usable is left", () => {
    const t = lineTarget(2);
    const dead: Target = { ...t, qubits: t.qubits.map((q) => ({ ...q, readoutP01: 0.4, readoutP10: 0.4 })) };
    expect(() => planLayer(dead, HALF_PI)).toThrow(/at least one usable qubit \(all 2 avoided: faulty or readout error above 0.1\)/);
  });
});
