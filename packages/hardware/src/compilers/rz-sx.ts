import { CapabilityError } from "@natural-quantization/core";
import { scaleAngle, shiftAngle } from "../angles.js";
import type { Angle, Circuit, Gate, Operation } from "../circuit.js";
import type { Target } from "../target.js";

/**
 * The `rz-sx` gate-set compiler (IBM's superconducting devices, and the default): translation to a target's native gates, at the level of Qiskit's optimisation level 0: every gate
 * is replaced by a fixed native sequence, barriers are kept, nothing is merged or cancelled. The
 * one simplification: an `rz` right before a Z measurement of its qubit is dropped (it only
 * changes a phase the measurement cannot see).
 *
 * Rules (circuit order, equal up to global phase; each is checked on a state-vector simulator):
 * - ry(t)      = sx; rz(t + pi); sx; rz(pi)
 * - rx(t)      = h; rz(t); h
 * - h          = rz(pi/2); sx; rz(pi/2)
 * - sxdg       = rz(pi); sx; rz(pi)
 * - x          = sx; sx                      (only when x is not native)
 * - cry(t) c,t = ry(t/2) t; cz c,t; ry(-t/2) t; cz c,t
 * - cx c,t     = h t; cz c,t; h t            (to a cz or ecr target)
 * - ecr c,t    = h t; cz c,t; rz(pi/2) c; rz(pi/2) t; h t; x c
 * - cz c,t     = h t; x c; ecr c,t; h t; rz(pi/2) c; rz(pi/2) t   (ecr in the coupling map's direction)
 * - cz c,t     = h t; cx c,t; h t            (cx in the coupling map's direction)
 * - ecr a,b    = h a; h b; ecr b,a; x b; h a; h b; x a            (flip against the map's direction)
 * - cx a,b     = h a; h b; cx b,a; h a; h b
 *
 * Reachable bases: single-qubit gates natively or through rz + sx; two-qubit gates through one of
 * cz, ecr, cx. Two-qubit gates must act on coupled qubits: there is no routing (the layer layouts
 * place every pair on a coupling).
 */
export const SUPPORTED_BASES = "single-qubit: the gate itself or rz + sx (x optional); two-qubit: cz, ecr or cx on coupled qubits";

const TWO_QUBIT_NATIVES = ["cz", "ecr", "cx"] as const;
type TwoQubitNative = (typeof TWO_QUBIT_NATIVES)[number];
type TwoQubitGate = Extract<Gate, { control: number }>;
const PI = Math.PI;
const HALF = Math.PI / 2;

export function compileRzSx(circuit: Circuit, target: Target): Circuit {
  if (circuit.numQubits > target.numQubits) {
    throw new CapabilityError(`circuit has ${circuit.numQubits} qubits, target ${target.name} has ${target.numQubits}`);
  }
  const basis = new Set(target.basisGates);
  const native2q = TWO_QUBIT_NATIVES.find((g) => basis.has(g)) ?? null;
  const directed = new Set(target.couplingMap.map(([a, b]) => `${a},${b}`));
  const fail = (what: string): never => {
    throw new CapabilityError(`cannot compile ${what} for target ${target.name} with basis [${target.basisGates.join(", ")}]: supported are ${SUPPORTED_BASES}`);
  };
  const coupled = (a: number, b: number): boolean => directed.has(`${a},${b}`) || directed.has(`${b},${a}`);

  const out: Operation[] = [];
  const emit1 = (g: Gate, root: string = g.op, depth = 0): void => {
    const what = g.op === root ? root : `${root} (via ${g.op})`;
    if (depth > 8) fail(what);
    if (basis.has(g.op)) {
      out.push(g);
      return;
    }
    for (const h of oneQubitRule(g, basis) ?? fail(what)) emit1(h, root, depth + 1);
  };
  const emit2 = (g: TwoQubitGate): void => {
    if (!coupled(g.control, g.target)) {
      throw new CapabilityError(`qubits ${g.control} and ${g.target} are not coupled on target ${target.name} (${g.op} needs a coupled pair; there is no routing)`);
    }
    if (native2q === null) fail(g.op);
    const n = native2q as TwoQubitNative;
    if (g.op === "cry") {
      const t = g.target;
      for (const h of [
        { op: "ry", qubit: t, angle: scaleAngle(g.angle, 0.5) },
        { op: "cz", control: g.control, target: t },
        { op: "ry", qubit: t, angle: scaleAngle(g.angle, -0.5) },
        { op: "cz", control: g.control, target: t },
      ] as Gate[]) emit(h);
      return;
    }
    if (g.op === n) {
      // cz is symmetric; ecr and cx must run in a direction the map lists.
      if (n === "cz" || directed.has(`${g.control},${g.target}`)) out.push(g);
      else for (const h of flip(g.op as "ecr" | "cx", g.control, g.target)) emit(h);
      return;
    }
    for (const h of twoQubitRule(g, n, (a, b) => directed.has(`${a},${b}`))) emit(h);
  };
  const emit = (g: Gate): void => ("control" in g ? emit2(g) : emit1(g));

  for (const op of circuit.ops) {
    if (op.op === "measure" || op.op === "barrier") out.push(op);
    else emit(op);
  }
  return { numQubits: circuit.numQubits, numClbits: circuit.numClbits, ops: dropRzBeforeMeasure(out), ...(circuit.numParams ? { numParams: circuit.numParams } : {}) };
}

function oneQubitRule(g: Gate, basis: ReadonlySet<string>): Gate[] | null {
  if (!("qubit" in g)) return null;
  const q = g.qubit;
  const rz = (angle: Angle): Gate => ({ op: "rz", qubit: q, angle });
  const sx: Gate = { op: "sx", qubit: q };
  const h: Gate = { op: "h", qubit: q };
  switch (g.op) {
    case "ry":
      return [sx, rz(shiftAngle(g.angle, PI)), sx, rz(PI)];
    case "rx":
      return [h, rz(g.angle), h];
    case "h":
      return [rz(HALF), sx, rz(HALF)];
    case "sxdg":
      return [rz(PI), sx, rz(PI)];
    case "x":
      return basis.has("sx") ? [sx, sx] : null;
    default:
      return null;
  }
}

function twoQubitRule(g: TwoQubitGate, native: TwoQubitNative, listed: (a: number, b: number) => boolean): Gate[] {
  const { control: c, target: t } = g;
  const h = (q: number): Gate => ({ op: "h", qubit: q });
  const x = (q: number): Gate => ({ op: "x", qubit: q });
  const rz = (q: number, angle: number): Gate => ({ op: "rz", qubit: q, angle });
  if (g.op === "cx") return [h(t), { op: "cz", control: c, target: t }, h(t)];
  if (g.op === "ecr") return [h(t), { op: "cz", control: c, target: t }, rz(c, HALF), rz(t, HALF), h(t), x(c)];
  // g is cz (symmetric): orient it along the map.
  const [a, b] = listed(c, t) ? [c, t] : [t, c];
  if (native === "ecr") return [h(b), x(a), { op: "ecr", control: a, target: b }, h(b), rz(a, HALF), rz(b, HALF)];
  return [h(b), { op: "cx", control: a, target: b }, h(b)];
}

function flip(op: "ecr" | "cx", a: number, b: number): Gate[] {
  const h = (q: number): Gate => ({ op: "h", qubit: q });
  if (op === "cx") return [h(a), h(b), { op: "cx", control: b, target: a }, h(a), h(b)];
  return [h(a), h(b), { op: "ecr", control: b, target: a }, { op: "x", qubit: b }, h(a), h(b), { op: "x", qubit: a }];
}

/** Drops each rz whose next operation on its qubit (barriers aside) is a measurement of that qubit. */
function dropRzBeforeMeasure(ops: readonly Operation[]): Operation[] {
  const keep = ops.map(() => true);
  const lastRz = new Map<number, number[]>();
  ops.forEach((op, i) => {
    if (op.op === "barrier") return;
    if (op.op === "rz") {
      const list = lastRz.get(op.qubit) ?? [];
      list.push(i);
      lastRz.set(op.qubit, list);
      return;
    }
    const qs = op.op === "measure" || "qubit" in op ? [op.qubit] : [op.control, op.target];
    for (const q of qs) {
      if (op.op === "measure") for (const j of lastRz.get(q) ?? []) keep[j] = false;
      lastRz.delete(q);
    }
  });
  return ops.filter((_, i) => keep[i]);
}
