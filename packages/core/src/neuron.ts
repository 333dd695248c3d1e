/**
 * The qubit neuron of docs/model.md §2: the single source of truth for the physics.
 * Backends may re-implement these equations in their own kernels; the conformance
 * suite holds them to this file.
 */

export type Activation = "tanh" | "htanh";
export const ACTIVATIONS: readonly Activation[] = ["tanh", "htanh"];

export const HALF_PI = Math.PI / 2;

/** Parameters of a layer of qubit neurons. */
export interface NeuronParams {
  /** Quantumness a >= 0; a = 0 gives the sign target (classical binarized network). */
  readonly a: number;
  /** Entanglement angle 0 <= g <= pi/2 of the ancilla read-out; pi/2 is projective. */
  readonly g: number;
  /** Shape of the target s_a(z) for a > 0: tanh(z/a) or clip(z/a, -1, 1). */
  readonly activation: Activation;
}

/**
 * The neuron parameters one hidden layer uses. Made only by `neuronLayerParams`, which applies
 * the rule that the last hidden layer measures projectively, so no caller codes that rule again.
 */
export interface NeuronLayerParams extends NeuronParams {
  /** Hidden layer index, 0-based. */
  readonly layer: number;
  readonly hiddenLayers: number;
}

/**
 * The parameters of hidden layer `layer` of `hiddenLayers`: the network's a and activation, and
 * its g, except that the last hidden layer is projective (g = pi/2): the readout that feeds the
 * output layer is a strong measurement.
 */
export function neuronLayerParams(neuron: NeuronParams, layer: number, hiddenLayers: number): NeuronLayerParams {
  if (!Number.isInteger(layer) || layer < 0 || layer >= hiddenLayers) {
    throw new RangeError(`hidden layer ${layer} is outside 0..${hiddenLayers - 1}`);
  }
  return { a: neuron.a, activation: neuron.activation, g: layer === hiddenLayers - 1 ? HALF_PI : neuron.g, layer, hiddenLayers };
}

/** One qubit: its angle (state cos(alpha/2)|0> + sin(alpha/2)|1>) and its last outcome. */
export interface QubitState {
  readonly alpha: number;
  readonly m: 1 | -1;
}

/** A gate of the circuit that realises one neuron's update on hardware (docs/model.md §7). */
export type Gate =
  | { readonly op: "ry"; readonly qubit: "neuron" | "ancilla"; readonly angle: number }
  | { readonly op: "cry"; readonly control: "neuron"; readonly target: "ancilla"; readonly angle: number }
  | { readonly op: "measure"; readonly qubit: "neuron" | "ancilla" };

export interface NeuronModel {
  readonly params: NeuronParams;
  /** The target t = s_a(z) in [-1, 1]; sign(0) = -1. */
  target(z: number): number;
  /** The rotation angle theta = (pi/2)(m - t). */
  rotation(z: number, m: 1 | -1): number;
  /** P(m' = +1) for a qubit at angle alpha measured with entanglement angle g. */
  probPlus(alpha: number, g: number): number;
  /** The angle after outcome m' (partial collapse; g = pi/2 sends it to 0 or +-pi). */
  backAction(alpha: number, outcome: 1 | -1, g: number): number;
  /** The parameters hidden layer `layer` uses (the last hidden layer is projective). */
  layer(layer: number, hiddenLayers: number): NeuronLayerParams;
  /** One full neuron update: rotate by the target of z, measure with draw u in [0, 1). */
  step(state: QubitState, z: number, u: number, g: number): QubitState;
  /** Straight-through derivative dd/dz (1 if |z| < 1 else 0), independent of a and g. */
  straightThrough(z: number): number;
  /** The gate sequence of one neuron update (the measured qubit yields m' = +1 on outcome 0). */
  gates(state: QubitState, z: number, g: number): Gate[];
}

export function target(z: number, a: number, activation: Activation): number {
  if (a === 0) return z > 0 ? 1 : -1;
  const x = z / a;
  return activation === "tanh" ? Math.tanh(x) : Math.max(-1, Math.min(1, x));
}

export function probPlus(alpha: number, g: number): number {
  return (1 + Math.sin(g) * Math.cos(alpha)) / 2;
}

/**
 * The state after outcome m': apply the measurement operator
 * M(m') = diag(sqrt((1 + m' sin g)/2), sqrt((1 - m' sin g)/2)) to (cos(alpha/2), sin(alpha/2)) and renormalise.
 *
 * The authors' code writes alpha' = 2 asin(sin(alpha/2) sqrt((1 - m' sin g)/(1 + m' sin g cos alpha))) (docs/model.md §2.6).
 * That form is the same wherever cos(alpha/2) >= 0, but it drops the sign of cos(alpha/2): for
 * |alpha| > pi (reachable in Model 2, where a residual angle plus the next rotation can pass pi)
 * it returns the mirror state, not the measured one. atan2 keeps both signs; the result is
 * wrapped to (-pi, pi] (a global phase of -1, physically the same state).
 */
export function backAction(alpha: number, outcome: 1 | -1, g: number): number {
  const s = Math.sin(g);
  const m0 = Math.sqrt(Math.max(0, (1 + outcome * s) / 2));
  const m1 = Math.sqrt(Math.max(0, (1 - outcome * s) / 2));
  const half = Math.atan2(m1 * Math.sin(alpha / 2), m0 * Math.cos(alpha / 2));
  // half is in (-pi, pi]; 2*half in (-2pi, 2pi]. Fold by a global phase into (-pi, pi].
  const a = 2 * half;
  return a > Math.PI ? a - 2 * Math.PI : a <= -Math.PI ? a + 2 * Math.PI : a;
}

/** The back-action in the authors' asin form (docs/model.md §2.6); equal to backAction where cos(alpha/2) >= 0. */
export function backActionAsin(alpha: number, outcome: 1 | -1, g: number): number {
  const s = Math.sin(g);
  const ratio = (1 - outcome * s) / (1 + outcome * s * Math.cos(alpha));
  return 2 * Math.asin(Math.max(-1, Math.min(1, Math.sin(alpha / 2) * Math.sqrt(ratio))));
}

export function straightThrough(z: number): number {
  return Math.abs(z) < 1 ? 1 : 0;
}

export class QubitNeuronModel implements NeuronModel {
  constructor(readonly params: NeuronParams) {}

  target(z: number): number {
    return target(z, this.params.a, this.params.activation);
  }

  rotation(z: number, m: 1 | -1): number {
    return HALF_PI * (m - this.target(z));
  }

  probPlus(alpha: number, g: number): number {
    return probPlus(alpha, g);
  }

  backAction(alpha: number, outcome: 1 | -1, g: number): number {
    return backAction(alpha, outcome, g);
  }

  layer(layer: number, hiddenLayers: number): NeuronLayerParams {
    return neuronLayerParams(this.params, layer, hiddenLayers);
  }

  step(state: QubitState, z: number, u: number, g: number): QubitState {
    const alpha = state.alpha + this.rotation(z, state.m);
    const m: 1 | -1 = u < probPlus(alpha, g) ? 1 : -1;
    return { alpha: backAction(alpha, m, g), m };
  }

  straightThrough(z: number): number {
    return straightThrough(z);
  }

  gates(state: QubitState, z: number, g: number): Gate[] {
    const angle = state.alpha + this.rotation(z, state.m);
    if (g === HALF_PI) return [{ op: "ry", qubit: "neuron", angle }, { op: "measure", qubit: "neuron" }];
    return [
      { op: "ry", qubit: "neuron", angle },
      { op: "ry", qubit: "ancilla", angle: HALF_PI - g },
      { op: "cry", control: "neuron", target: "ancilla", angle: 2 * g },
      { op: "measure", qubit: "ancilla" },
    ];
  }
}
