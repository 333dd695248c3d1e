import { ConfigError } from "@natural-quantization/core";
import type { Angle, Circuit, Gate, Operation, ParamAngle } from "./circuit.js";

/**
 * Arithmetic on angles that may be template parameters. Binding evaluates `scale * p + offset`
 * in that order, the order an OpenQASM 3 reader evaluates the printed `scale*p + offset`.
 */
export function isParamAngle(angle: Angle): angle is ParamAngle {
  return typeof angle !== "number";
}

/** angle + c. */
export function shiftAngle(angle: Angle, c: number): Angle {
  return isParamAngle(angle) ? { param: angle.param, scale: angle.scale, offset: angle.offset + c } : angle + c;
}

/** s * angle. */
export function scaleAngle(angle: Angle, s: number): Angle {
  return isParamAngle(angle) ? { param: angle.param, scale: angle.scale * s, offset: angle.offset * s } : angle * s;
}

/** The value of an angle under one binding row. */
export function bindAngle(angle: Angle, values: readonly number[]): number {
  if (!isParamAngle(angle)) return angle;
  const p = values[angle.param];
  if (p === undefined) throw new ConfigError("binding row length", values.length, `> ${angle.param} (the template uses p[${angle.param}])`);
  return angle.scale * p + angle.offset;
}

/** A template with one row of values bound: a concrete circuit. */
export function bindCircuit(circuit: Circuit, values: readonly number[]): Circuit {
  const want = circuit.numParams ?? 0;
  if (values.length !== want) throw new ConfigError("binding row length", values.length, `exactly ${want} (the template's parameters)`);
  return { numQubits: circuit.numQubits, numClbits: circuit.numClbits, ops: circuit.ops.map((op) => bindOp(op, values)) };
}

function bindOp(op: Operation, values: readonly number[]): Operation {
  if (!("angle" in op)) return op;
  return { ...op, angle: bindAngle(op.angle, values) } as Gate;
}

/** True when no gate angle is a parameter. */
export function isConcrete(circuit: Circuit): boolean {
  return circuit.ops.every((op) => !("angle" in op) || !isParamAngle(op.angle));
}
