import type { Target } from "../../src/index.js";

/** A small test device: n qubits in a line, coupled both ways, with the given basis. */
export function lineTarget(n: number, basisGates: readonly string[] = ["rz", "sx", "x", "cz"], directed = false): Target {
  const couplingMap: [number, number][] = [];
  for (let q = 0; q + 1 < n; q++) {
    couplingMap.push([q, q + 1]);
    if (!directed) couplingMap.push([q + 1, q]);
  }
  return {
    name: `line-${n}`,
    numQubits: n,
    basisGates,
    couplingMap,
    qubits: Array.from({ length: n }, () => ({ t1: null, t2: null, readoutP01: 0, readoutP10: 0, readoutDuration: null })),
    instructions: [],
  };
}
