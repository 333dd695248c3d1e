import { CapabilityError, ConfigError } from "@natural-quantization/core";
import type { Circuit } from "./circuit.js";
import { compileRzSx, SUPPORTED_BASES } from "./compilers/rz-sx.js";
import { DEFAULT_GATE_SET, type Target } from "./target.js";
import { compileTrappedIon, isTrappedIonTarget, TRAPPED_ION_LOWERING } from "./compile-trapped-ion.js";

export { SUPPORTED_BASES } from "./compilers/rz-sx.js";

/**
 * Compilation to a device's native gates is a step the target chooses: its `gateSet` names a
 * compiler here. A provider whose device takes another gate set registers its compiler once
 * (registerGateSetCompiler) and names it in the targets it returns.
 */
export interface GateSetCompiler {
  /** The name targets give in `gateSet`, e.g. "rz-sx". */
  readonly name: string;
  /** One line for listings: which gates it emits. */
  readonly description: string;
  /**
   * The circuit in the target's native gates on the same physical qubits, with the same
   * measurements into the same classical bits (outcome probabilities unchanged).
   */
  compile(circuit: Circuit, target: Target): Circuit;
}

/** Trapped ions (IonQ): gpi, gpi2 and ms, after lowering to rz + sx + x + cz (compile-trapped-ion.ts). */
export const TRAPPED_ION_GATE_SET = "trapped-ion";

const COMPILERS = new Map<string, GateSetCompiler>([
  [DEFAULT_GATE_SET, { name: DEFAULT_GATE_SET, description: SUPPORTED_BASES, compile: compileRzSx }],
  [
    TRAPPED_ION_GATE_SET,
    {
      name: TRAPPED_ION_GATE_SET,
      description: "gpi, gpi2, ms (trapped ions; z-rotations as phase frames)",
      compile: (circuit, target) => compileTrappedIon(compileRzSx(circuit, { ...target, basisGates: TRAPPED_ION_LOWERING }), target),
    },
  ],
]);

/** Makes a gate set available to targets by name; a name already taken by another compiler is an error. */
export function registerGateSetCompiler(compiler: GateSetCompiler): void {
  if (!/^[a-z][a-z0-9-]*$/.test(compiler.name)) throw new ConfigError("gate set name", compiler.name, "lower-case letters, digits and '-', e.g. rz-sx");
  const known = COMPILERS.get(compiler.name);
  if (known && known !== compiler) throw new ConfigError("gate set name", compiler.name, `a name not yet taken (taken: ${[...COMPILERS.keys()].join(", ")})`);
  COMPILERS.set(compiler.name, compiler);
}

/** The gate sets compilers are registered for. */
export function gateSetCompilers(): readonly GateSetCompiler[] {
  return [...COMPILERS.values()];
}

/** The compiler the target names (DEFAULT_GATE_SET when it names none). */
export function gateSetCompiler(target: Target): GateSetCompiler {
  // A target that names no gate set but lists the trapped-ion natives gets their compiler.
  const name = target.gateSet ?? (isTrappedIonTarget(target) ? TRAPPED_ION_GATE_SET : DEFAULT_GATE_SET);
  const compiler = COMPILERS.get(name);
  if (!compiler) {
    throw new CapabilityError(`target ${target.name} takes gate set "${name}", which no compiler is registered for (known: ${[...COMPILERS.keys()].join(", ")}); load the provider that brings it`);
  }
  return compiler;
}

/** The circuit in the target's native gates, by the compiler its gate set names. */
export function compileForTarget(circuit: Circuit, target: Target): Circuit {
  return gateSetCompiler(target).compile(circuit, target);
}
