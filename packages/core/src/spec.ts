import { ConfigError } from "./errors.js";
import { ACTIVATIONS, HALF_PI, type Activation, type NeuronParams } from "./neuron.js";

/** The network: depth linear maps, depth - 1 hidden qubit layers of `width` neurons. */
export interface NetworkSpec {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly width: number;
  readonly depth: number;
  readonly bias: boolean;
  readonly neuron: NeuronParams;
}

/** The training procedure and evaluation (docs/model.md §5 and §6). */
export interface TrainSpec {
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  readonly momentum: number;
  /** k of the k-shot majority-vote evaluation. */
  readonly shots: number;
  /** Unsigned 32-bit seed of every random stream of the run. */
  readonly seed: number;
}

export const PAPER_NETWORK = {
  inputSize: 784,
  outputSize: 10,
  width: 512,
  depth: 4,
  bias: false,
  neuron: { a: 0, g: HALF_PI, activation: "tanh" },
} as const satisfies NetworkSpec;

export const PAPER_TRAINING = {
  epochs: 100,
  batch: 64,
  lr: 0.01,
  momentum: 0.9,
  shots: 15,
  seed: 0,
} as const satisfies TrainSpec;

/** Tolerance for g given as a decimal approximation of pi/2 (e.g. 1.5708). */
const G_SLACK = 1e-4;

type Check = (field: string, value: unknown) => void;

const finite: Check = (field, value) => {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new ConfigError(field, value, "a finite number");
};

function integer(min: number, max = Number.MAX_SAFE_INTEGER): Check {
  return (field, value) => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(field, value, `an integer from ${min} to ${max === Number.MAX_SAFE_INTEGER ? "any" : max}`);
    }
  };
}

function range(min: number, max: number, text: string): Check {
  return (field, value) => {
    finite(field, value);
    if ((value as number) < min || (value as number) > max) throw new ConfigError(field, value, text);
  };
}

/** Validates and normalises neuron parameters (g within 1e-4 of pi/2 snaps to pi/2). */
export function validateNeuron(p: NeuronParams, prefix = ""): NeuronParams {
  range(0, Number.MAX_VALUE, "a >= 0 (0 is the classical sign network)")(`${prefix}a`, p.a);
  range(0, HALF_PI + G_SLACK, "0 <= g <= pi/2 (1.5707963...)")(`${prefix}g`, p.g);
  if (!ACTIVATIONS.includes(p.activation)) {
    throw new ConfigError(`${prefix}activation`, p.activation, ACTIVATIONS.join(" or "));
  }
  const g = Math.abs(p.g - HALF_PI) <= G_SLACK ? HALF_PI : p.g;
  return { a: p.a, g, activation: p.activation as Activation };
}

export function validateNetwork(spec: NetworkSpec): NetworkSpec {
  integer(1, 1 << 24)("inputSize", spec.inputSize);
  integer(2, 1 << 16)("outputSize", spec.outputSize);
  integer(1, 1 << 16)("width", spec.width);
  integer(2, 64)("depth", spec.depth);
  if (typeof spec.bias !== "boolean") throw new ConfigError("bias", spec.bias, "true or false");
  return { ...spec, neuron: validateNeuron(spec.neuron) };
}

export function validateTraining(spec: TrainSpec): TrainSpec {
  integer(0, 100_000)("epochs", spec.epochs);
  integer(1, 1 << 20)("batch", spec.batch);
  range(Number.MIN_VALUE, 100, "0 < lr <= 100")("lr", spec.lr);
  range(0, 0.999999, "0 <= momentum < 1")("momentum", spec.momentum);
  integer(1, 10_000)("shots", spec.shots);
  integer(0, 0xffffffff)("seed", spec.seed);
  return { ...spec };
}

/** Number of hidden qubit layers. */
export function hiddenLayers(spec: NetworkSpec): number {
  return spec.depth - 1;
}

/** [out, in] of each linear layer. */
export function layerShapes(spec: NetworkSpec): Array<readonly [number, number]> {
  const shapes: Array<readonly [number, number]> = [];
  for (let l = 0; l < spec.depth; l++) {
    const fanIn = l === 0 ? spec.inputSize : spec.width;
    const fanOut = l === spec.depth - 1 ? spec.outputSize : spec.width;
    shapes.push([fanOut, fanIn]);
  }
  return shapes;
}
