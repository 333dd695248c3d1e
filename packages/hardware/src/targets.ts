import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, UserError } from "@natural-quantization/core";
import { readJson, writeJsonAtomic } from "@natural-quantization/core/node";
import { targetFromIbm, type IbmBackendConfiguration, type IbmBackendProperties } from "./providers/ibm-target.js";
import { targetFromIonq, type IonqCharacterization } from "./providers/ionq-target.js";
import { EAGLE_LATTICE, HERON_R1_LATTICE, heavyHexEdges, type HeavyHexSpec } from "./heavy-hex.js";
import { DEFAULT_GATE_SET, type InstructionProperties, type QubitProperties, type Target } from "./target.js";

/**
 * Targets as data: two built-in device-like targets and JSON files in the shape of {@link Target}.
 *
 * The built-ins' figures are the medians over qubits / couplings of IBM's calibration snapshots of
 * ibm_kyiv (Eagle r3) and ibm_torino (Heron r1), dated 2025-02-26, as shipped in the fake
 * backends of qiskit-ibm-runtime. Every qubit and coupling gets the median: the built-ins are
 * "Eagle-like" and "Heron-like", not a model of one device's variation on one day.
 *
 * "aria" is a trapped-ion target from IonQ's published Aria figures (see {@link ARIA_CHARACTERIZATION}):
 * all-to-all, native gates gpi, gpi2, ms.
 */
export const BUILTIN_TARGETS = ["heron", "eagle", "aria"] as const;
export type BuiltinTargetName = (typeof BUILTIN_TARGETS)[number];

interface FamilyFigures {
  readonly lattice: HeavyHexSpec;
  readonly basisGates: readonly string[];
  readonly twoQubitGate: string;
  /** true: one direction per coupling (lower -> higher index); false: both directions. */
  readonly directed: boolean;
  readonly t1: number;
  readonly t2: number;
  readonly readoutP01: number;
  readonly readoutP10: number;
  readonly readoutDuration: number;
  readonly oneQubitError: number;
  readonly oneQubitDuration: number;
  readonly twoQubitError: number;
  readonly twoQubitDuration: number;
}

const FAMILIES: Record<Exclude<BuiltinTargetName, "aria">, FamilyFigures> = {
  // ibm_torino medians: T1 185.0 us, T2 140.9 us, P(0|1) 0.0229, P(1|0) 0.0200, readout 1560 ns,
  // sx/x error 2.71e-4 at 32 ns, cz error 4.19e-3 at 68 ns.
  heron: {
    lattice: HERON_R1_LATTICE,
    basisGates: ["rz", "sx", "x", "cz"],
    twoQubitGate: "cz",
    directed: false,
    t1: 184.9874260203931e-6,
    t2: 140.938949034492e-6,
    readoutP01: 0.02001953125,
    readoutP10: 0.02294921875,
    readoutDuration: 1560e-9,
    oneQubitError: 0.000271147748591249,
    oneQubitDuration: 32e-9,
    twoQubitError: 0.004190160309680474,
    twoQubitDuration: 68e-9,
  },
  // ibm_kyiv medians: T1 287.1 us, T2 118.1 us, readout error 0.0127 (both ways), readout 1244 ns,
  // sx/x error 2.52e-4 at 49.8 ns, ecr error 1.17e-2 at 561.8 ns.
  eagle: {
    lattice: EAGLE_LATTICE,
    basisGates: ["rz", "sx", "x", "ecr"],
    twoQubitGate: "ecr",
    directed: true,
    t1: 287.10008549526685e-6,
    t2: 118.10386022943386e-6,
    readoutP01: 0.0126953125,
    readoutP10: 0.0126953125,
    readoutDuration: 1244.4444444444443e-9,
    oneQubitError: 0.0002516965003420603,
    oneQubitDuration: 49.77777777777777e-9,
    twoQubitError: 0.011718139023403601,
    twoQubitDuration: 561.7777777777777e-9,
  },
};

/**
 * IonQ Aria as Microsoft's Azure Quantum IonQ provider page publishes it
 * (learn.microsoft.com/azure/quantum/provider-ionq, "IonQ Aria quantum computer": system timing
 * and system fidelity tables), written as the characterization record IonQ's API returns (v0.4,
 * `Characterization`): 25 qubits; T1 10-100 s (the lower end is taken), T2 1 s; single-qubit gate
 * 135 us at 99.95% average fidelity (SPAM corrected), two-qubit gate 600 us at 99.6% (not SPAM
 * corrected); SPAM fidelity 99.61%. No readout time is published there (none given).
 */
export const ARIA_CHARACTERIZATION = {
  backend: "aria-like",
  qubits: 25,
  fidelity: { "1q": { median: 0.9995 }, "2q": { median: 0.996 }, spam: { median: 0.9961 } },
  timing: { t1: 10, t2: 1, "1q": 135e-6, "2q": 600e-6 },
} as const satisfies IonqCharacterization;

/** The trapped-ion "aria": the ionq provider's target builder on the published figures (all-to-all, gpi / gpi2 / ms). */
function ariaTarget(): Target {
  return targetFromIonq({ backend: ARIA_CHARACTERIZATION.backend, qubits: ARIA_CHARACTERIZATION.qubits }, ARIA_CHARACTERIZATION);
}

/** The built-in "heron" (133 qubits, cz), "eagle" (127 qubits, ecr directed lower -> higher index) or "aria" (25 trapped ions). */
export function builtinTarget(name: BuiltinTargetName): Target {
  if (name === "aria") return ariaTarget();
  const f = FAMILIES[name];
  if (!f) throw new ConfigError("target", name, BUILTIN_TARGETS.join(", "));
  const { numQubits, edges } = heavyHexEdges(f.lattice);
  const couplingMap: [number, number][] = f.directed ? edges : edges.flatMap(([a, b]) => [[a, b], [b, a]] as [number, number][]);
  const qubits: QubitProperties[] = Array.from({ length: numQubits }, () => ({
    t1: f.t1,
    t2: f.t2,
    readoutP01: f.readoutP01,
    readoutP10: f.readoutP10,
    readoutDuration: f.readoutDuration,
  }));
  const instructions: InstructionProperties[] = [];
  for (let q = 0; q < numQubits; q++) {
    instructions.push({ gate: "rz", qubits: [q], error: 0, duration: 0 });
    for (const gate of ["sx", "x"]) instructions.push({ gate, qubits: [q], error: f.oneQubitError, duration: f.oneQubitDuration });
  }
  for (const [a, b] of couplingMap) instructions.push({ gate: f.twoQubitGate, qubits: [a, b], error: f.twoQubitError, duration: f.twoQubitDuration });
  return { name: `${name}-like`, numQubits, basisGates: f.basisGates, gateSet: DEFAULT_GATE_SET, repDelay: BUILTIN_REP_DELAY, couplingMap, qubits, instructions };
}

/** Seconds between executions: default_rep_delay 250 us in the configurations of both snapshots (ibm_kyiv, ibm_torino). */
const BUILTIN_REP_DELAY = 250e-6;

/** A built-in name, a directory holding an IBM calibration snapshot ({@link loadIbmSnapshot}), or a target JSON file. */
export function resolveTarget(nameOrPath: string): Target {
  if ((BUILTIN_TARGETS as readonly string[]).includes(nameOrPath)) return builtinTarget(nameOrPath as BuiltinTargetName);
  return isDirectory(nameOrPath) ? loadIbmSnapshot(nameOrPath) : loadTarget(nameOrPath);
}

/**
 * A real device's target from a directory holding its backend configuration and properties as IBM
 * publishes them: `conf_NAME.json` and `props_NAME.json` (the layout of qiskit-ibm-runtime's
 * fake_provider/backends/NAME), or `configuration.json` and `properties.json` (the answers of
 * `GET /backends/{name}/configuration` and `/properties`, saved).
 */
export function loadIbmSnapshot(dir: string): Target {
  const files = readdirSync(dir).sort();
  const pick = (prefix: string, plain: string) => files.find((f) => f.startsWith(prefix) && f.endsWith(".json")) ?? (files.includes(plain) ? plain : undefined);
  const conf = pick("conf_", "configuration.json");
  const props = pick("props_", "properties.json");
  if (!conf || !props) {
    throw new UserError(`${dir} is not an IBM snapshot directory: it needs conf_NAME.json and props_NAME.json, or configuration.json and properties.json`);
  }
  const configuration = readJson(join(dir, conf), "IBM backend configuration") as IbmBackendConfiguration;
  const properties = readJson(join(dir, props), "IBM backend properties") as IbmBackendProperties;
  return targetFromIbm(configuration, properties);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function loadTarget(path: string): Target {
  return validateTarget(readJson(path, "target file"), path);
}

/** Writes a target as JSON (atomically); {@link loadTarget} reads it back equal. */
export function writeTarget(path: string, target: Target): void {
  writeJsonAtomic(path, validateTarget(target, "target"));
}

/** Checks a parsed JSON value field by field; errors name the source, the field, the value and the range. */
export function validateTarget(value: unknown, source: string): Target {
  const bad = (field: string, v: unknown, allowed: string): never => {
    throw new ConfigError(`${source}: ${field}`, typeof v === "object" && v !== null ? JSON.stringify(v).slice(0, 60) : v, allowed);
  };
  const obj = (v: unknown, field: string): Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : bad(field, v, "an object");
  const arr = (v: unknown, field: string): unknown[] => (Array.isArray(v) ? v : bad(field, v, "an array"));
  const root = obj(value, "target");
  const name = typeof root.name === "string" && root.name.length > 0 ? root.name : bad("name", root.name, "a non-empty string");
  const numQubits = root.numQubits;
  if (typeof numQubits !== "number" || !Number.isInteger(numQubits) || numQubits < 1 || numQubits > 100_000) bad("numQubits", numQubits, "an integer 1..100000");
  const n = numQubits as number;
  const qubitIndex = (v: unknown, field: string): number =>
    typeof v === "number" && Number.isInteger(v) && v >= 0 && v < n ? v : bad(field, v, `a qubit index 0..${n - 1}`);
  const probability = (v: unknown, field: string): number => (typeof v === "number" && v >= 0 && v <= 1 ? v : bad(field, v, "a probability 0..1"));
  const seconds = (v: unknown, field: string, positive: boolean): number | null =>
    v === null || (typeof v === "number" && Number.isFinite(v) && (positive ? v > 0 : v >= 0))
      ? (v as number | null)
      : bad(field, v, positive ? "null or a positive number of seconds" : "null or a number of seconds >= 0");

  const basisGates = arr(root.basisGates, "basisGates").map((g, i) =>
    typeof g === "string" && /^[a-z][a-z0-9_]*$/.test(g) ? g : bad(`basisGates[${i}]`, g, "a gate name such as rz, sx, x, cz, ecr"),
  );
  if (basisGates.length === 0) bad("basisGates", "[]", "at least one gate name");
  const couplingMap = arr(root.couplingMap, "couplingMap").map((pair, i): [number, number] => {
    const p = arr(pair, `couplingMap[${i}]`);
    if (p.length !== 2) bad(`couplingMap[${i}]`, pair, "a pair [control, target]");
    const a = qubitIndex(p[0], `couplingMap[${i}][0]`);
    const b = qubitIndex(p[1], `couplingMap[${i}][1]`);
    if (a === b) bad(`couplingMap[${i}]`, pair, "two different qubits");
    return [a, b];
  });
  const qubitList = arr(root.qubits, "qubits");
  if (qubitList.length !== n) bad("qubits", `${qubitList.length} entries`, `exactly numQubits = ${n} entries`);
  // Written only when false, so target files stay short; anything but a boolean is an error.
  const operational = (v: unknown, field: string): { operational?: false } =>
    v === undefined || v === true ? {} : v === false ? { operational: false } : bad(field, v, "true or false (absent means true)");
  const qubits = qubitList.map((q, i): QubitProperties => {
    const o = obj(q, `qubits[${i}]`);
    return {
      t1: seconds(o.t1, `qubits[${i}].t1`, true),
      t2: seconds(o.t2, `qubits[${i}].t2`, true),
      readoutP01: probability(o.readoutP01, `qubits[${i}].readoutP01`),
      readoutP10: probability(o.readoutP10, `qubits[${i}].readoutP10`),
      readoutDuration: seconds(o.readoutDuration, `qubits[${i}].readoutDuration`, false),
      ...operational(o.operational, `qubits[${i}].operational`),
    };
  });
  const instructions = arr(root.instructions ?? [], "instructions").map((ins, i): InstructionProperties => {
    const o = obj(ins, `instructions[${i}]`);
    const gate = typeof o.gate === "string" && o.gate.length > 0 ? o.gate : bad(`instructions[${i}].gate`, o.gate, "a gate name");
    const qs = arr(o.qubits, `instructions[${i}].qubits`).map((q, j) => qubitIndex(q, `instructions[${i}].qubits[${j}]`));
    if (qs.length < 1 || qs.length > 2) bad(`instructions[${i}].qubits`, o.qubits, "one or two qubits");
    return {
      gate,
      qubits: qs,
      error: probability(o.error, `instructions[${i}].error`),
      duration: seconds(o.duration, `instructions[${i}].duration`, false),
      ...operational(o.operational, `instructions[${i}].operational`),
    };
  });
  const date = root.calibrationDate;
  if (date !== undefined && typeof date !== "string") bad("calibrationDate", date, "an ISO date string, or absent");
  const gateSet = root.gateSet;
  if (gateSet !== undefined && (typeof gateSet !== "string" || !/^[a-z][a-z0-9-]*$/.test(gateSet))) bad("gateSet", gateSet, "a gate-set compiler name such as rz-sx, or absent");
  const repDelay = root.repDelay === undefined ? undefined : seconds(root.repDelay, "repDelay", false);
  return {
    name,
    ...(typeof date === "string" ? { calibrationDate: date } : {}),
    numQubits: n,
    basisGates,
    ...(typeof gateSet === "string" ? { gateSet } : {}),
    ...(repDelay !== undefined ? { repDelay } : {}),
    couplingMap,
    qubits,
    instructions,
  };
}
