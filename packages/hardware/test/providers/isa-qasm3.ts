/**
 * The small subset of OpenQASM 3 that IBM's ISA circuits use, parsed for the test server:
 * `OPENQASM 3[.0];`, `include "stdgates.inc";`, `input float[64] name;`, `bit[n] c;`,
 * gates on physical qubits (`rz(expr) $k;`, `sx $k;`, `x $k;`, `cz $a, $b;`, `ecr $a, $b;`, and any
 * other name, kept so the server can reject it as non-ISA), `barrier`, and `c[i] = measure $k;`.
 * Angle expressions: numbers, input parameters, pi, + - * /, unary minus and parentheses.
 * Written independently of the code under test, from the OpenQASM 3 specification.
 */
export interface IsaGate {
  readonly name: string;
  readonly qubits: readonly number[];
  /** Angle expressions, evaluated once parameter values are bound. */
  readonly args: readonly ((params: ReadonlyMap<string, number>) => number)[];
}

export interface IsaProgram {
  readonly parameters: readonly string[];
  readonly register: { readonly name: string; readonly size: number };
  readonly gates: readonly IsaGate[];
  readonly measurements: readonly { readonly qubit: number; readonly clbit: number }[];
  /** Virtual (non-physical) qubits or other constructs that make the program non-ISA. */
  readonly nonIsa: readonly string[];
}

export class QasmSyntaxError extends Error {}

export function parseIsaQasm3(text: string): IsaProgram {
  const statements = text
    .replace(/\/\/[^\n]*/g, "")
    .split(";")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const parameters: string[] = [];
  let register: { name: string; size: number } | null = null;
  const gates: IsaGate[] = [];
  const measurements: { qubit: number; clbit: number }[] = [];
  const nonIsa: string[] = [];
  if (!/^OPENQASM\s+3(\.0)?$/.test(statements[0] ?? "")) throw new QasmSyntaxError("program must start with OPENQASM 3.0;");
  for (const s of statements.slice(1)) {
    let m: RegExpMatchArray | null;
    if (/^include\s+"stdgates\.inc"$/.test(s)) continue;
    if ((m = s.match(/^input\s+float\[64\]\s+([A-Za-z_][A-Za-z0-9_]*)$/))) {
      parameters.push(m[1]);
    } else if ((m = s.match(/^bit\[(\d+)\]\s+([A-Za-z_][A-Za-z0-9_]*)$/))) {
      if (register) throw new QasmSyntaxError("only one classical register is supported");
      register = { name: m[2], size: Number(m[1]) };
    } else if ((m = s.match(/^([A-Za-z_][A-Za-z0-9_]*)\[(\d+)\]\s*=\s*measure\s+(.+)$/))) {
      if (!register || m[1] !== register.name) throw new QasmSyntaxError(`measure into undeclared register ${m[1]}`);
      measurements.push({ clbit: Number(m[2]), qubit: physical(m[3], nonIsa) });
    } else if ((m = s.match(/^qubit(\[\d+\])?\s+\w+$/))) {
      nonIsa.push(`virtual qubit declaration "${s}"`);
    } else if ((m = s.match(/^([A-Za-z_][A-Za-z0-9_]*)\s*(\((.*)\))?\s+(.+)$/s))) {
      const name = m[1];
      const qubits = m[4].split(",").map((q) => physical(q.trim(), nonIsa));
      if (name === "barrier") continue;
      const args = m[3] === undefined ? [] : splitArgs(m[3]).map((a) => compileExpression(a, parameters));
      gates.push({ name, qubits, args });
    } else {
      throw new QasmSyntaxError(`cannot read statement "${s}"`);
    }
  }
  if (!register) throw new QasmSyntaxError("no bit[n] register declared");
  return { parameters, register, gates, measurements, nonIsa };
}

function physical(operand: string, nonIsa: string[]): number {
  const m = operand.match(/^\$(\d+)$/);
  if (m) return Number(m[1]);
  nonIsa.push(`virtual qubit operand "${operand}"`);
  return -1;
}

function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (text[i] === "," && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((a) => a.trim());
}

type Expr = (params: ReadonlyMap<string, number>) => number;

/** Recursive-descent compiler of an angle expression into a function of the bound parameters. */
export function compileExpression(source: string, parameters: readonly string[]): Expr {
  const tokens = source.match(/\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|π|[-+*/()]/g) ?? [];
  if (tokens.join("") !== source.replace(/\s+/g, "")) throw new QasmSyntaxError(`cannot read expression "${source}"`);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = () => tokens[pos++];
  const sum = (): Expr => {
    let left = product();
    while (peek() === "+" || peek() === "-") {
      const op = take();
      const l = left;
      const r = product();
      left = op === "+" ? (p) => l(p) + r(p) : (p) => l(p) - r(p);
    }
    return left;
  };
  const product = (): Expr => {
    let left = unary();
    while (peek() === "*" || peek() === "/") {
      const op = take();
      const l = left;
      const r = unary();
      left = op === "*" ? (p) => l(p) * r(p) : (p) => l(p) / r(p);
    }
    return left;
  };
  const unary = (): Expr => {
    if (peek() === "-") {
      take();
      const inner = unary();
      return (p) => -inner(p);
    }
    if (peek() === "+") take();
    return atom();
  };
  const atom = (): Expr => {
    const t = take();
    if (t === undefined) throw new QasmSyntaxError(`expression "${source}" ends early`);
    if (t === "(") {
      const inner = sum();
      if (take() !== ")") throw new QasmSyntaxError(`missing ) in "${source}"`);
      return inner;
    }
    if (t === "pi" || t === "π") return () => Math.PI;
    if (/^[\d.]/.test(t)) {
      const v = Number(t);
      return () => v;
    }
    if (parameters.includes(t)) {
      return (p) => {
        const v = p.get(t);
        if (v === undefined) throw new QasmSyntaxError(`parameter ${t} has no value`);
        return v;
      };
    }
    throw new QasmSyntaxError(`unknown identifier "${t}" in "${source}"`);
  };
  const expr = sum();
  if (pos !== tokens.length) throw new QasmSyntaxError(`unexpected "${peek()}" in "${source}"`);
  return expr;
}
