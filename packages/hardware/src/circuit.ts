/**
 * A circuit as data: the one representation every stage of the hardware path shares
 * (layer circuits are built in it, compiled in it, noise is inserted in it, OpenQASM is emitted from it).
 *
 * Qubits are physical indices 0 .. numQubits-1 of the target. Classical bit i is `c[i]`.
 * Bit order, stated once: in a result, bit i of a shot is the value measured into c[i]
 * (in IBM's hex samples, bit i is the 2^i place).
 */

/**
 * An angle that a parameterised template leaves open: `scale * p[param] + offset` radians, where
 * p[param] is the value bound at run time (OpenQASM 3 `input float[64]`, one row of a Pub's bindings).
 * Affine is all compilation needs (ry(t) becomes rz(t + pi); cry(t) becomes ry(t/2), ry(-t/2)).
 */
export interface ParamAngle {
  readonly param: number;
  readonly scale: number;
  readonly offset: number;
}

/** Radians, or a parameter expression of a template. */
export type Angle = number | ParamAngle;

/** A gate on named qubits. Angles are radians. */
export type Gate =
  | { readonly op: "ry" | "rz" | "rx"; readonly qubit: number; readonly angle: Angle }
  | { readonly op: "sx" | "sxdg" | "x" | "h"; readonly qubit: number }
  | { readonly op: "cz" | "cx"; readonly control: number; readonly target: number }
  /** IBM Eagle's native two-qubit gate; direction matters (control -> target as in the coupling map). */
  | { readonly op: "ecr"; readonly control: number; readonly target: number }
  | { readonly op: "cry"; readonly control: number; readonly target: number; readonly angle: Angle }
  /**
   * Trapped-ion natives (IonQ): gpi(phi) = [[0, e^-i phi], [e^i phi, 0]] and
   * gpi2(phi) = [[1, -i e^-i phi], [-i e^i phi, 1]] / sqrt 2; phi in radians here (IonQ's API takes turns).
   */
  | { readonly op: "gpi" | "gpi2"; readonly qubit: number; readonly angle: number }
  /**
   * IonQ's fully entangling Molmer-Sorensen gate MS(phi0, phi1) = (I - i s(phi0) x s(phi1)) / sqrt 2,
   * s(phi) = cos(phi) X + sin(phi) Y; phases[0] belongs to `control` (the first target), phases[1]
   * to `target`; radians. Symmetric when both phases are 0.
   */
  | { readonly op: "ms"; readonly control: number; readonly target: number; readonly phases: readonly [number, number] };

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
  /**
   * Parameters p[0] .. p[numParams-1] of a template (absent or 0: a concrete circuit). In a binding
   * row, value i is p[i].
   */
  readonly numParams?: number;
}

/** Gate names as OpenQASM spells them. */
export type GateName = Gate["op"];
