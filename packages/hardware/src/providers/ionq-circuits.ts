import { CapabilityError, DataError } from "@natural-quantization/core";

/**
 * Pubs (OpenQASM 2 as qasm.ts emits it) as circuits of IonQ's JSON circuit format (API v0.4,
 * schemas `NativeCircuit` / `QISCircuit` inside `ionq.multi-circuit.v1`; docs.ionq.com "Native
 * gates" and "Writing quantum programs"):
 * - native: `{ "gate": "gpi" | "gpi2", "target": q, "phase": turns }`,
 *   `{ "gate": "ms", "targets": [a, b], "phases": [turns, turns] }` (fully entangling: no `angle`).
 * - qis: `rx` / `ry` / `rz` with `rotation` in radians, `h`, `x`, `v` (sx), `vi` (sxdg),
 *   `cnot` with `control` and `target`; `cz` is sent as h, cnot, h.
 * A circuit is native when it uses only gpi, gpi2 and ms, qis when it uses none of them.
 *
 * IonQ measures every qubit at the end; a result is keyed by the decimal integer whose bit k is
 * qubit k (little-endian: qubit 0 is the least significant bit; see ionq-results.ts). So each
 * `measure q[k] -> c[i]` must come after every gate on q[k], and c[i] is read from bit k.
 */

export type IonqGateset = "native" | "qis";

export type IonqGate =
  | { readonly gate: "gpi" | "gpi2"; readonly target: number; readonly phase: number }
  | { readonly gate: "ms"; readonly targets: readonly [number, number]; readonly phases: readonly [number, number] }
  | { readonly gate: "rx" | "ry" | "rz"; readonly target: number; readonly rotation: number }
  | { readonly gate: "h" | "x" | "v" | "vi"; readonly target: number }
  | { readonly gate: "cnot"; readonly control: number; readonly target: number };

/** One entry of `input.circuits` of a multi-circuit job. */
export interface IonqCircuit {
  readonly name: string;
  readonly gateset: IonqGateset;
  readonly qubits: number;
  readonly circuit: readonly IonqGate[];
}

/** A Pub as IonQ runs it, and where its classical bits come from. */
export interface IonqProgram {
  readonly circuit: IonqCircuit;
  /** measured[i]: the qubit read into c[i], or -1 where nothing is measured into c[i] (always 0). */
  readonly clbitQubits: readonly number[];
  readonly oneQubitGates: number;
  readonly twoQubitGates: number;
}

const TURN = 2 * Math.PI;
const NATIVE = new Set(["gpi", "gpi2", "ms"]);
const HEADER = /^(OPENQASM 2\.0;|include "qelib1\.inc";|gate .*|)$/;
const GATE = /^([a-z][a-z0-9]*)(?:\(([^)]*)\))? q\[(\d+)\](?:,q\[(\d+)\])?;$/;

/** Reads one Pub's OpenQASM 2 (the form qasm.ts emits) into IonQ's JSON circuit form. */
export function ionqProgram(program: string, clbits: number, name: string): IonqProgram {
  let qubits = -1;
  let declaredClbits = 0;
  const gates: IonqGate[] = [];
  const kinds = new Set<IonqGateset>();
  const clbitQubits = new Array<number>(clbits).fill(-1);
  const measured = new Set<number>();
  let oneQubitGates = 0;
  let twoQubitGates = 0;
  const fail = (line: string, why: string): never => {
    throw new DataError(`${name}: IonQ cannot run the OpenQASM line "${line}" (${why})`);
  };
  for (const raw of program.split("\n")) {
    const line = raw.trim();
    if (HEADER.test(line) || line.startsWith("barrier ")) continue;
    let m: RegExpExecArray | null;
    if ((m = /^qreg q\[(\d+)\];$/.exec(line))) {
      qubits = Number(m[1]);
      continue;
    }
    if ((m = /^creg c\[(\d+)\];$/.exec(line))) {
      declaredClbits = Number(m[1]);
      continue;
    }
    if ((m = /^measure q\[(\d+)\] -> c\[(\d+)\];$/.exec(line))) {
      const [q, c] = [Number(m[1]), Number(m[2])];
      if (c >= clbits) fail(line, `c[${c}] is beyond the Pub's ${clbits} classical bits`);
      clbitQubits[c] = q;
      measured.add(q);
      continue;
    }
    if (!(m = GATE.exec(line))) fail(line, "not a gate, measurement or declaration of the emitted form");
    const [, op, args, aText, bText] = m!;
    const a = Number(aText);
    const b = bText === undefined ? null : Number(bText);
    for (const q of b === null ? [a] : [a, b]) if (measured.has(q)) fail(line, `qubit ${q} was measured already; IonQ measures at the end only`);
    const params = args === undefined ? [] : args.split(",").map((s) => Number(s.trim()));
    if (params.some((p) => !Number.isFinite(p))) fail(line, "its parameters must be numbers of radians");
    const turns = (radians: number) => wrapTurns(radians / TURN);
    kinds.add(NATIVE.has(op) ? "native" : "qis");
    if (b === null) oneQubitGates++;
    else twoQubitGates++;
    switch (op) {
      case "gpi":
      case "gpi2":
        gates.push({ gate: op, target: a, phase: turns(params[0]) });
        break;
      case "ms":
        gates.push({ gate: "ms", targets: [a, b!], phases: [turns(params[0]), turns(params[1])] });
        break;
      case "rx":
      case "ry":
      case "rz":
        gates.push({ gate: op, target: a, rotation: params[0] });
        break;
      case "h":
      case "x":
        gates.push({ gate: op, target: a });
        break;
      case "sx":
        gates.push({ gate: "v", target: a });
        break;
      case "sxdg":
        gates.push({ gate: "vi", target: a });
        break;
      case "cx":
        gates.push({ gate: "cnot", control: a, target: b! });
        break;
      case "cz":
        gates.push({ gate: "h", target: b! }, { gate: "cnot", control: a, target: b! }, { gate: "h", target: b! });
        break;
      default:
        fail(line, `gate ${op} is neither in IonQ's native set (gpi, gpi2, ms) nor sent as qis (rx, ry, rz, h, x, sx, sxdg, cx, cz)`);
    }
  }
  if (qubits < 1) throw new DataError(`${name}: the OpenQASM program declares no qreg q[n]`);
  if (declaredClbits !== clbits) throw new DataError(`${name}: the program declares ${declaredClbits} classical bits, the Pub says ${clbits}`);
  if (kinds.size > 1) throw new CapabilityError(`${name}: mixes IonQ native gates with qis gates in one circuit; compile it for the IonQ target (all native) or not at all`);
  const gateset: IonqGateset = kinds.has("native") ? "native" : "qis";
  return { circuit: { name, gateset, qubits, circuit: gates }, clbitQubits, oneQubitGates, twoQubitGates };
}

/** Turns in [0, 1). */
function wrapTurns(t: number): number {
  const r = t - Math.floor(t);
  return r >= 1 ? 0 : r;
}
