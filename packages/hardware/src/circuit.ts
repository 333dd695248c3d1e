/**
 * A circuit as data: the one representation every stage of the hardware path shares
 * (layer circuits are built in it, compiled in it, noise is inserted in it, OpenQASM is emitted from it).
 *
 * Qubits are physical indices 0 .. numQubits-1 of the target. Classical bit i is `c[i]`.
 * Bit order, stated once: in a result, bit i of a shot is the value measured into c[i]
 * (in IBM's hex samples, bit i is the 2^i place).
 */

/** A gate on named qubits. Angles are radians. */
export type Gate =
  | { readonly op: "ry" | "rz" | "rx"; readonly qubit: number; readonly angle: number }
  | { readonly op: "sx" | "sxdg" | "x" | "h"; readonly qubit: number }
  | { readonly op: "cz" | "cx"; readonly control: number; readonly target: number }
  /** IBM Eagle's native two-qubit gate; direction matters (control -> target as in the coupling map). */
  | { readonly op: "ecr"; readonly control: number; readonly target: number }
  | { readonly op: "cry"; readonly control: number; readonly target: number; readonly angle: number };

export type Operation =
  | Gate
  | { readonly op: "measure"; readonly qubit: number; readonly clbit: number }
  /** Keeps the compiler from cancelling the gates on either side (used by identity pairs). */
  | { readonly op: "barrier"; readonly qubits: readonly number[] };

export interface Circuit {
  /** Physical qubits the circuit may touch: 0 .. numQubits-1. */
  readonly numQubits: number;
  /** Classical bits c[0] .. c[numClbits-1]. */
  readonly numClbits: number;
  readonly ops: readonly Operation[];
}

/** Gate names as OpenQASM spells them. */
export type GateName = Gate["op"];
