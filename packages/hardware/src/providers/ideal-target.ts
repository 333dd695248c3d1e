import { ConfigError } from "@natural-quantization/core";
import type { Target } from "../target.js";

/**
 * A noise-free device on which every qubit pair is coupled (both directions) and the usual
 * textbook gates are native: what the local provider simulates.
 */
export function fullyConnectedTarget(numQubits: number, name = `ideal-${numQubits}`): Target {
  if (!Number.isInteger(numQubits) || numQubits < 1 || numQubits > 1024) {
    throw new ConfigError("numQubits", numQubits, "an integer from 1 to 1024");
  }
  const couplingMap: [number, number][] = [];
  for (let a = 0; a < numQubits; a++) for (let b = 0; b < numQubits; b++) if (a !== b) couplingMap.push([a, b]);
  return {
    name,
    numQubits,
    basisGates: ["rx", "ry", "rz", "sx", "x", "h", "cx", "cz", "cry"],
    couplingMap,
    qubits: Array.from({ length: numQubits }, () => ({ t1: null, t2: null, readoutP01: 0, readoutP10: 0, readoutDuration: null })),
    instructions: [],
  };
}
