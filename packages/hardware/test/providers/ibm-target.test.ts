import { describe, expect, it } from "vitest";
import { DataError } from "@natural-quantization/core";
import { targetFromIbm, type IbmBackendConfiguration, type IbmBackendProperties } from "../../src/providers/ibm-target.js";
import { loadFixtureBackend } from "./ibm-test-server.js";

const heron = loadFixtureBackend("test_heron6");
const eagle = loadFixtureBackend("test_eagle5");
const conf = (b: typeof heron) => b.configuration as unknown as IbmBackendConfiguration;
const props = (b: typeof heron) => b.properties as IbmBackendProperties;

describe("targetFromIbm on backend configuration and properties in IBM's shape", () => {
  it("reads qubit count, basis gates without id, and the directed coupling map", () => {
    const t = targetFromIbm(conf(heron), props(heron));
    expect(t.name).toBe("test_heron6");
    expect(t.numQubits).toBe(6);
    expect(t.basisGates).toEqual(["cz", "rz", "sx", "x"]);
    expect(t.couplingMap).toContainEqual([2, 3]);
    expect(t.couplingMap).toContainEqual([3, 2]);
    const e = targetFromIbm(conf(eagle), props(eagle));
    expect(e.basisGates).toEqual(["ecr", "rz", "sx", "x"]);
    expect(e.couplingMap).toEqual([[1, 0], [1, 2], [3, 2], [3, 4]]);
  });

  it("converts T1/T2 (us) and readout_length (ns) to seconds and reads both readout errors", () => {
    const t = targetFromIbm(conf(heron), props(heron));
    expect(t.qubits[0].t1).toBeCloseTo(224.1e-6, 15);
    expect(t.qubits[3].t2).toBeCloseTo(60.2e-6, 15);
    expect(t.qubits[2].readoutP01).toBe(0.0241); // prob_meas1_prep0
    expect(t.qubits[2].readoutP10).toBe(0.0302); // prob_meas0_prep1
    expect(t.qubits[5].readoutDuration).toBeCloseTo(1560e-9, 18);
  });

  it("takes gate_error and gate_length (ns -> s) per native gate and qubits, dropping id and reset", () => {
    const t = targetFromIbm(conf(eagle), props(eagle));
    const ecr = t.instructions.find((i) => i.gate === "ecr" && i.qubits[0] === 3 && i.qubits[1] === 2);
    expect(ecr?.error).toBeCloseTo(0.0074 + 0.0003 * 3, 12);
    expect(ecr?.duration).toBeCloseTo(660e-9, 18);
    const sx4 = t.instructions.find((i) => i.gate === "sx" && i.qubits[0] === 4);
    expect(sx4?.error).toBeCloseTo(2.1e-4 + 4e-5, 12);
    expect(sx4?.duration).toBeCloseTo(32e-9, 18);
    expect(t.instructions.some((i) => i.gate === "id" || i.gate === "reset")).toBe(false);
  });

  it("falls back to readout_error, and names the field of bad data", () => {
    const p = props(heron);
    const stripped: IbmBackendProperties = { ...p, qubits: p.qubits.map((q) => q.filter((v) => !v.name.startsWith("prob_meas"))) };
    expect(targetFromIbm(conf(heron), stripped).qubits[1].readoutP01).toBeCloseTo((0.0112 + 0.0205) / 2, 12);
    expect(() => targetFromIbm({ ...conf(heron), n_qubits: 7 }, p)).toThrow(/qubits has 6 entries, expected n_qubits = 7/);
    const badUnit: IbmBackendProperties = { ...p, qubits: p.qubits.map((q) => q.map((v) => (v.name === "T1" ? { ...v, unit: "fortnights" } : v))) };
    expect(() => targetFromIbm(conf(heron), badUnit)).toThrow(DataError);
    expect(() => targetFromIbm({ ...conf(heron), coupling_map: [[0, 9]] }, p)).toThrow(/coupling_map\[0\]/);
  });
});
