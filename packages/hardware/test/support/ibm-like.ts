/**
 * Device-like backends in IBM's configuration / properties shape, made up for tests (no real
 * calibration data): the heavy-hex lattices of Eagle (ecr, one direction per coupler, mixed
 * directions as on ibm_kyiv) and Heron r1 (cz, both directions), with the kinds of faults real
 * snapshots show: couplers with gate_error 1, a qubit and a gate reported `operational` 0, and
 * qubits whose readout error is far above the median.
 */
import { EAGLE_LATTICE, HERON_R1_LATTICE, heavyHexEdges } from "../../src/index.js";
import type { IbmBackendConfiguration, IbmBackendProperties, IbmNduv } from "../../src/index.js";

export interface IbmLikeBackend {
  readonly configuration: IbmBackendConfiguration & { coupling_map: number[][]; basis_gates: string[] };
  readonly properties: IbmBackendProperties;
  /** What was made faulty, for the tests to check against. */
  readonly faults: {
    readonly notOperationalQubits: readonly number[];
    readonly badReadoutQubits: readonly number[];
    readonly deadCouplers: readonly (readonly [number, number])[];
  };
}

const DATE = "2026-01-01T00:00:00Z";
const nduv = (name: string, value: number, unit = ""): IbmNduv & { date: string } => ({ date: DATE, name, unit, value });

export function ibmLikeBackend(kind: "eagle" | "heron"): IbmLikeBackend {
  const eagle = kind === "eagle";
  const { numQubits, edges } = heavyHexEdges(eagle ? EAGLE_LATTICE : HERON_R1_LATTICE);
  const twoQubit = eagle ? "ecr" : "cz";
  // Eagle: one direction per coupler, reversed on a fixed pseudo-random ~45 % (ibm_kyiv: 64 of 144).
  const couplingMap: number[][] = eagle
    ? edges.map(([a, b]) => (((a * 7919 + b * 104729) >>> 0) % 100 < 45 ? [b, a] : [a, b]))
    : edges.flatMap(([a, b]) => [[a, b], [b, a]]);
  const deadCouplers: [number, number][] = eagle ? [[5, 6], [40, 41], [100, 110]] : [[3, 4], [19, 20], [96, 97]];
  const notOperationalQubits = eagle ? [33] : [60];
  const badReadoutQubits = eagle ? [8, 80, 121] : [19, 58, 86];
  const badReadout = [0.16, 0.36, 0.5];
  for (const [a, b] of deadCouplers) if (!edges.some(([x, y]) => x === a && y === b)) throw new Error(`test backend: ${a}-${b} is not a coupler`);

  const qubits = Array.from({ length: numQubits }, (_, q) => {
    const bad = badReadoutQubits.indexOf(q);
    // Good qubits: readout 0.005..0.04, varying so a "best qubits" choice has something to choose.
    const readout = bad >= 0 ? badReadout[bad] : 0.005 + ((q * 37) % 36) * 0.001;
    const list = [nduv("T1", 150 + (q % 50), "us"), nduv("T2", 90 + (q % 40), "us"), nduv("readout_error", readout), nduv("prob_meas0_prep1", readout * 1.2), nduv("prob_meas1_prep0", readout * 0.8), nduv("readout_length", 1300, "ns")];
    if (notOperationalQubits.includes(q)) list.push(nduv("operational", 0));
    return list;
  });
  const gates: IbmBackendProperties["gates"][number][] = [];
  for (let q = 0; q < numQubits; q++) {
    for (const gate of ["id", "sx", "x", "rz"]) {
      gates.push({ gate, qubits: [q], name: `${gate}${q}`, parameters: [nduv("gate_error", gate === "rz" ? 0 : 2.5e-4), nduv("gate_length", gate === "rz" ? 0 : 32, "ns")] });
    }
  }
  for (const [a, b] of couplingMap) {
    const dead = deadCouplers.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
    // One dead coupler is reported by `operational` 0 instead of gate_error 1: both forms must be read.
    const byFlag = dead && Math.min(a, b) === deadCouplers[0][0];
    const error = dead && !byFlag ? 1 : 0.004 + ((a * 13 + b * 7) % 20) * 0.0005;
    gates.push({
      gate: twoQubit,
      qubits: [a, b],
      name: `${twoQubit}${a}_${b}`,
      parameters: [nduv("gate_error", error), nduv("gate_length", eagle ? 600 : 68, "ns"), ...(byFlag ? [nduv("operational", 0)] : [])],
    });
  }
  return {
    configuration: { backend_name: `test_${kind}_like`, n_qubits: numQubits, basis_gates: [twoQubit, "id", "rz", "sx", "x"], coupling_map: couplingMap },
    properties: { backend_name: `test_${kind}_like`, qubits, gates },
    faults: { notOperationalQubits, badReadoutQubits, deadCouplers },
  };
}
