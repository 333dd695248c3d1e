import { CapabilityError } from "@natural-quantization/core";
import { isParamAngle } from "./angles.js";
import type { Angle, Circuit, Gate, Operation } from "./circuit.js";
import type { Target } from "./target.js";

/**
 * Compilation to a trapped-ion target's native gates (IonQ: gpi, gpi2, ms), the step a target
 * whose basis lists them chooses (see compileForTarget). The circuit arrives lowered to
 * rz + sx + x + cz by compile.ts's rules; this maps those four onto the natives:
 *
 * - rz is virtual: it turns the phase frame of its qubit (f += angle) and emits nothing. Every
 *   later gate on the qubit is conjugated by the frame, RZ(-f) G RZ(f), which for IonQ's gates
 *   only shifts their phases: gpi(phi) -> gpi(phi - f), gpi2(phi) -> gpi2(phi - f),
 *   ms(p0, p1) -> ms(p0 - f_a, p1 - f_b). Frames left at the end act before the measurements,
 *   which they cannot change (Z rotations commute with a Z measurement), so they are dropped.
 * - sx = gpi2(0) and x = gpi(0) (exactly, up to global phase), then framed.
 * - cz a,b = h a; h b; ms(0, 0) a,b; h a; h b; rz(-pi/2) a; rz(-pi/2) b   (up to global phase):
 *   ms(0, 0) = exp(-i pi/4 XX) = (H H) exp(-i pi/4 ZZ) (H H), and
 *   CZ = e^{-i pi/4} RZ(-pi/2) RZ(-pi/2) exp(-i pi/4 ZZ).
 *   h = rz(pi/2); sx; rz(pi/2) as in compile.ts. Model 2's one-CZ weak measurement thus runs on one ms.
 *
 * Gate definitions (radians here; IonQ's API takes turns, the provider converts):
 * gpi(phi) = [[0, e^-i phi], [e^i phi, 0]], gpi2(phi) = [[1, -i e^-i phi], [-i e^i phi, 1]] / sqrt 2,
 * ms(p0, p1) = (I - i s(p0) x s(p1)) / sqrt 2 with s(p) = cos(p) X + sin(p) Y, after IonQ's native
 * gates guide (docs.ionq.com, "Getting started with native gates").
 */

/** What compile.ts lowers a circuit to before this step. */
export const TRAPPED_ION_LOWERING: readonly string[] = ["rz", "sx", "x", "cz"];

/** IonQ's native gate set, as a target's basis names it. */
export const TRAPPED_ION_BASIS: readonly string[] = ["gpi", "gpi2", "ms"];

/** True for a target whose native gates are the trapped-ion set (it lists gpi2 and ms). */
export function isTrappedIonTarget(target: Target): boolean {
  return target.basisGates.includes("gpi2") && target.basisGates.includes("ms");
}

const TWO_PI = 2 * Math.PI;
const HALF = Math.PI / 2;

/** Maps a circuit in rz + sx + x + cz onto gpi, gpi2 and ms, tracking z-rotations as phase frames. */
export function compileTrappedIon(lowered: Circuit, target: Target): Circuit {
  const frame = new Float64Array(lowered.numQubits);
  const out: Operation[] = [];
  const phase = (q: number, phi: number): number => wrap(phi - frame[q]);
  const rz = (q: number, angle: Angle): void => {
    if (isParamAngle(angle)) {
      throw new CapabilityError(`target ${target.name} (trapped ions) needs concrete circuits: z-rotations become phase frames, which a parameter cannot be (bind the template first)`);
    }
    frame[q] += angle;
  };
  const sx = (q: number): void => void out.push({ op: "gpi2", qubit: q, angle: phase(q, 0) });
  const h = (q: number): void => {
    rz(q, HALF);
    sx(q);
    rz(q, HALF);
  };
  const emit = (op: Operation): void => {
    switch (op.op) {
      case "measure":
      case "barrier":
        out.push(op);
        return;
      case "rz":
        rz(op.qubit, op.angle);
        return;
      case "sx":
        sx(op.qubit);
        return;
      case "x":
        out.push({ op: "gpi", qubit: op.qubit, angle: phase(op.qubit, 0) });
        return;
      case "cz": {
        const { control: a, target: b } = op;
        h(a);
        h(b);
        out.push({ op: "ms", control: a, target: b, phases: [phase(a, 0), phase(b, 0)] });
        h(a);
        h(b);
        rz(a, -HALF);
        rz(b, -HALF);
        return;
      }
      default:
        throw new CapabilityError(`cannot map ${describe(op)} onto target ${target.name}'s trapped-ion gates (expected it lowered to ${TRAPPED_ION_LOWERING.join(", ")})`);
    }
  };
  for (const op of lowered.ops) emit(op);
  return { numQubits: lowered.numQubits, numClbits: lowered.numClbits, ops: out };
}

function describe(op: Gate): string {
  return "qubit" in op ? `${op.op} on qubit ${op.qubit}` : `${op.op} on qubits ${op.control}, ${op.target}`;
}

/** An angle in [0, 2 pi). */
function wrap(phi: number): number {
  const r = phi % TWO_PI;
  const w = r < 0 ? r + TWO_PI : r;
  return w >= TWO_PI ? 0 : w;
}
