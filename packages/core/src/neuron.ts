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
 * The neuron parameters one hidden layer uses, and the model that gives them meaning. Made by a
 * model's `layer` (for the built-in model: `neuronLayerParams`), which applies the rule that the
 * last hidden layer measures projectively, so no caller codes that rule again.
 */
export interface NeuronLayerParams extends NeuronParams {
  /** Hidden layer index, 0-based. */
  readonly layer: number;
  readonly hiddenLayers: number;
  /** The neuron model of the network; qubit layers that run any model call it, kernels check it is one they implement. */
  readonly model: NeuronModel;
}

/** True when a read-out with entanglement angle g is a projective measurement (the neuron itself is measured). */
export function isProjective(g: number): boolean {
  // Validated parameters are exactly HALF_PI or at least 1e-4 below it (validateNeuron snaps).
  return g === HALF_PI;
}

/**
 * The parameters of hidden layer `layer` of `hiddenLayers`: the network's a and activation, and
 * its g, except that the last hidden layer is projective (g = pi/2): the readout that feeds the
 * output layer is a strong measurement. `model` defaults to the built-in model of these parameters.
 */
export function neuronLayerParams(neuron: NeuronParams, layer: number, hiddenLayers: number, model?: NeuronModel): NeuronLayerParams {
  if (!Number.isInteger(layer) || layer < 0 || layer >= hiddenLayers) {
    throw new RangeError(`hidden layer ${layer} is outside 0..${hiddenLayers - 1}`);
  }
  return {
    a: neuron.a,
    activation: neuron.activation,
    g: layer === hiddenLayers - 1 ? HALF_PI : neuron.g,
    layer,
    hiddenLayers,
    model: model ?? new QubitNeuronModel(neuron),
  };
}

/** One qubit: its angle (state cos(alpha/2)|0> + sin(alpha/2)|1>) and its last outcome. */
export interface QubitState {
  readonly alpha: number;
  readonly m: 1 | -1;
}

/**
 * A gate of the circuit that realises one neuron's update on hardware (docs/model.md §7). The
 * neuron's rotation angle is of type A: a number, or whatever a circuit builder uses for a
 * parameter bound later.
 */
export type Gate<A = number> =
  | { readonly op: "ry"; readonly qubit: "neuron" | "ancilla"; readonly angle: A | number }
  | { readonly op: "cry"; readonly control: "neuron"; readonly target: "ancilla"; readonly angle: number }
  | { readonly op: "measure"; readonly qubit: "neuron" | "ancilla" };

/**
 * A neuron model: the physics of one layer of qubit neurons, pure and scalar. Qubit layers that run
 * any model (sim-cpu's, the hardware's, the noisy layer) call it per neuron; kernels that implement
 * a model themselves (sim-wasm) run only the built-in one (see isBuiltinNeuron). The conformance
 * suite's exact tier holds a qubit layer to the model it is given.
 */
export interface NeuronModel {
  /** The name it is registered by (`--neuron NAME`); the built-in model is "qubit". */
  readonly name: string;
  readonly params: NeuronParams;
  /** The target t = s_a(z) in [-1, 1]. */
  target(z: number): number;
  /** The rotation angle theta that turns a qubit whose last outcome was m towards the target of z. */
  rotation(z: number, m: 1 | -1): number;
  /** P(m' = +1) for a qubit at angle alpha measured with entanglement angle g. */
  probPlus(alpha: number, g: number): number;
  /** The angle after outcome m' (partial collapse; g = pi/2 sends it to 0 or +-pi). */
  backAction(alpha: number, outcome: 1 | -1, g: number): number;
  /** The parameters hidden layer `layer` uses (for the built-in model the last hidden layer is projective). */
  layer(layer: number, hiddenLayers: number): NeuronLayerParams;
  /** One full neuron update: rotate by the target of z, measure with draw u in [0, 1). */
  step(state: QubitState, z: number, u: number, g: number): QubitState;
  /** The surrogate derivative dd/dz of the outcome d that the backward pass uses, in a layer read out with entanglement angle g. */
  gradient(z: number, g: number): number;
  /**
   * Set when `gradient` is the straight-through estimator 1{|z| < 1}, which every dense engine has as
   * a kernel (DenseEngine.straightThrough); otherwise the Trainer applies `gradient` element by element.
   */
  readonly straightThroughGradient?: boolean;
  /**
   * The gate sequence of one neuron update on hardware: the neuron turned by `angle` (alpha + theta),
   * then read out with entanglement angle g; the measured qubit yields m' = +1 on outcome 0.
   */
  gates<A>(angle: A, g: number): Gate<A>[];
}

/** What a neuron-model package exports (as `neuron`), so `--neuron NAME | package | ./path` finds it. */
export interface NeuronPlugin {
  readonly name: string;
  readonly description: string;
  /** The model of a network's neuron parameters (validated by core before the call). */
  create(params: NeuronParams): NeuronModel;
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

/** The paper's neuron (docs/model.md §2), the built-in model "qubit". */
export class QubitNeuronModel implements NeuronModel {
  readonly name = "qubit";
  readonly straightThroughGradient = true;

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
    return neuronLayerParams(this.params, layer, hiddenLayers, this);
  }

  step(state: QubitState, z: number, u: number, g: number): QubitState {
    const alpha = state.alpha + this.rotation(z, state.m);
    const m: 1 | -1 = u < probPlus(alpha, g) ? 1 : -1;
    return { alpha: backAction(alpha, m, g), m };
  }

  gradient(z: number, _g: number): number {
    return straightThrough(z);
  }

  gates<A>(angle: A, g: number): Gate<A>[] {
    if (isProjective(g)) return [{ op: "ry", qubit: "neuron", angle }, { op: "measure", qubit: "neuron" }];
    return [
      { op: "ry", qubit: "neuron", angle },
      { op: "ry", qubit: "ancilla", angle: HALF_PI - g },
      { op: "cry", control: "neuron", target: "ancilla", angle: 2 * g },
      { op: "measure", qubit: "ancilla" },
    ];
  }
}

/** The built-in neuron model as a plugin (`--neuron qubit`, the default). */
export const qubitNeuron: NeuronPlugin = {
  name: "qubit",
  description: "the paper's qubit neuron: target s_a(z), measurement with entanglement angle g, straight-through gradient",
  create: (params) => new QubitNeuronModel(params),
};

/**
 * True for the built-in model itself (not a subclass that may override its physics): what kernels
 * that re-implement the equations (sim-wasm) may run.
 */
export function isBuiltinNeuron(model: NeuronModel): model is QubitNeuronModel {
  return Object.getPrototypeOf(model) === QubitNeuronModel.prototype;
}
