import { CapabilityError, ConfigError } from "@natural-quantization/core";
import { isConcrete, isParamAngle } from "./angles.js";
import type { Angle, Circuit, Operation } from "./circuit.js";

/**
 * OpenQASM emitters. Numbers are printed with JavaScript's shortest round-trip form (the same
 * digits as Python's repr, which Qiskit prints with constants disabled), so the reader's double
 * is the one the circuit holds.
 */

/** A real literal valid in OpenQASM 2 and 3: always with a decimal point before an exponent. */
export function formatReal(x: number): string {
  if (!Number.isFinite(x)) throw new ConfigError("angle", x, "a finite number of radians");
  const s = String(x);
  return s.includes("e") && !s.includes(".") ? s.replace("e", ".0e") : s;
}

/**
 * Name of template parameter i in OpenQASM 3: `p` and a zero-padded index. Qiskit (and so IBM's
 * Sampler) orders a circuit's parameters by name, so equal-width names keep p[i] in column i of a
 * binding row (unpadded, p10 would sort before p2).
 */
export function parameterName(index: number, numParams: number): string {
  const width = String(Math.max(0, numParams - 1)).length;
  return `p${String(index).padStart(width, "0")}`;
}

function formatAngle(angle: Angle, numParams: number): string {
  if (!isParamAngle(angle)) return formatReal(angle);
  if (!Number.isInteger(angle.param) || angle.param < 0 || angle.param >= numParams) {
    throw new ConfigError("angle parameter", angle.param, `0..${numParams - 1} (the circuit's numParams)`);
  }
  const name = parameterName(angle.param, numParams);
  const term = angle.scale === 1 ? name : angle.scale === -1 ? `-${name}` : `${formatReal(angle.scale)}*${name}`;
  if (angle.offset === 0) return term;
  return angle.offset > 0 ? `${term} + ${formatReal(angle.offset)}` : `${term} - ${formatReal(-angle.offset)}`;
}

/**
 * OpenQASM 3 as IBM takes an ISA circuit (the shape of Qiskit's `qasm3.dumps` of a transpiled
 * circuit): physical qubits `$k` with no declaration, `input float[64]` parameters, one register
 * `bit[n] c;`, `c[i] = measure $k;`, no gate definitions. Gates are printed by their stdgates.inc
 * names; `ecr` (a device's native gate, not in stdgates.inc) is printed as is, which IBM accepts
 * for targets that list it.
 */
export function toQasm3(circuit: Circuit): string {
  const numParams = circuit.numParams ?? 0;
  const lines = ["OPENQASM 3.0;", 'include "stdgates.inc";'];
  for (let i = 0; i < numParams; i++) lines.push(`input float[64] ${parameterName(i, numParams)};`);
  if (circuit.numClbits > 0) lines.push(`bit[${circuit.numClbits}] c;`);
  const q = (k: number): string => `$${checkQubit(k, circuit)}`;
  for (const op of circuit.ops) {
    switch (op.op) {
      case "measure":
        lines.push(`c[${checkClbit(op.clbit, circuit)}] = measure ${q(op.qubit)};`);
        break;
      case "barrier":
        lines.push(`barrier ${op.qubits.map(q).join(", ")};`);
        break;
      case "sxdg":
        throw new CapabilityError("sxdg is not in OpenQASM 3's stdgates.inc: compile the circuit for a target first");
      default:
        lines.push(gateLine(op, q, numParams));
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * OpenQASM 2.0 with `qelib1.inc` for a concrete circuit: `qreg q[n]; creg c[m];`,
 * `measure q[k] -> c[i];`. Gates keep their names, so a compiled circuit stays in the target's
 * native gates. qelib1.inc has no `ecr` (Eagle's native gate): a circuit that uses it declares it
 * once in the header, {@link QASM2_ECR_DEFINITION}, and then writes `ecr q[c],q[t];`. quantum-circuit
 * (the local provider and the tests' simulator) reads the definition.
 */
export function toQasm2(circuit: Circuit): string {
  if (!isConcrete(circuit)) {
    throw new CapabilityError("OpenQASM 2 has no parameters: bind the template (bindCircuit) or emit OpenQASM 3");
  }
  const lines = ["OPENQASM 2.0;", 'include "qelib1.inc";'];
  if (circuit.ops.some((op) => op.op === "ecr")) lines.push(QASM2_ECR_DEFINITION);
  for (const [name, definition] of Object.entries(QASM2_TRAPPED_ION_DEFINITIONS)) if (circuit.ops.some((op) => op.op === name)) lines.push(definition);
  lines.push(`qreg q[${circuit.numQubits}];`);
  if (circuit.numClbits > 0) lines.push(`creg c[${circuit.numClbits}];`);
  const q = (k: number): string => `q[${checkQubit(k, circuit)}]`;
  for (const op of circuit.ops) {
    if (op.op === "measure") lines.push(`measure ${q(op.qubit)} -> c[${checkClbit(op.clbit, circuit)}];`);
    else if (op.op === "barrier") lines.push(`barrier ${op.qubits.map(q).join(",")};`);
    else lines.push(gateLine(op, q, 0, ","));
  }
  return `${lines.join("\n")}\n`;
}

/**
 * ECR(c, t) = X_c RZX(pi/2) = X_c H_t RZZ(pi/2) H_t, RZZ by two CX around an RZ: Qiskit's ECR
 * matrix up to a global phase (a gate definition's phase is not observable).
 */
export const QASM2_ECR_DEFINITION = "gate ecr c,t { h t; cx c,t; rz(pi/2) t; cx c,t; h t; x c; }";

/**
 * IonQ's native gates in qelib1.inc terms, exactly (no global phase): gpi(phi) = u3(pi, phi, pi - phi),
 * gpi2(phi) = u3(pi/2, phi - pi/2, pi/2 - phi), and ms(p0, p1) = MS(0, 0) = exp(-i pi/4 XX) between
 * z-rotations that turn its axes by p0 and p1 (exp(-i pi/4 XX) = H H, CX, rz(pi/2), CX, H H).
 * They let quantum-circuit (the local provider, the tests' simulator) read a circuit compiled for IonQ.
 */
export const QASM2_TRAPPED_ION_DEFINITIONS: Readonly<Record<"gpi" | "gpi2" | "ms", string>> = {
  // The parameter is `p`, not `phi`: quantum-circuit confuses a definition's `phi` with u3's own.
  gpi: "gate gpi(p) a { u3(pi, p, pi - p) a; }",
  gpi2: "gate gpi2(p) a { u3(pi/2, p - pi/2, pi/2 - p) a; }",
  ms: "gate ms(p0, p1) a, b { rz(-p0) a; rz(-p1) b; h a; h b; cx a, b; rz(pi/2) b; cx a, b; h a; h b; rz(p0) a; rz(p1) b; }",
};

function gateLine(op: Exclude<Operation, { op: "measure" } | { op: "barrier" }>, q: (k: number) => string, numParams: number, sep = ", "): string {
  if ("qubit" in op) return "angle" in op ? `${op.op}(${formatAngle(op.angle, numParams)}) ${q(op.qubit)};` : `${op.op} ${q(op.qubit)};`;
  const args = `${q(op.control)}${sep}${q(op.target)}`;
  if (op.op === "ms") return `ms(${formatReal(op.phases[0])}${sep}${formatReal(op.phases[1])}) ${args};`;
  return "angle" in op ? `${op.op}(${formatAngle(op.angle, numParams)}) ${args};` : `${op.op} ${args};`;
}

function checkQubit(k: number, circuit: Circuit): number {
  if (!Number.isInteger(k) || k < 0 || k >= circuit.numQubits) throw new ConfigError("qubit", k, `0..${circuit.numQubits - 1}`);
  return k;
}

function checkClbit(i: number, circuit: Circuit): number {
  if (!Number.isInteger(i) || i < 0 || i >= circuit.numClbits) throw new ConfigError("clbit", i, `0..${circuit.numClbits - 1}`);
  return i;
}
