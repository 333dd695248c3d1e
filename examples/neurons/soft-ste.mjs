// A contributed neuron model, written as a third party would: only the public API of
// @natural-quantization/core, no change to core or the CLI.
//
//   nq train --backend sim-cpu --neuron ./examples/neurons/soft-ste.mjs
//
// "soft-ste" is the paper's qubit neuron (same target, measurement, back-action and circuits), with
// the straight-through gradient 1{|z| < 1} replaced by the derivative of the neuron's expected
// outcome. From its reset state (alpha = 0, m = +1) the neuron is turned by (pi/2)(1 - t) and read
// out with entanglement angle g, so
//
//   E[d](z) = 2 P(+1) - 1 = sin(g) cos((pi/2)(1 - t(z))) = sin(g) sin((pi/2) t(z)),
//   dE[d]/dz = sin(g) (pi/2) cos((pi/2) t(z)) t'(z),
//
// with t = tanh(z/a) (t' = (1 - t^2)/a) or clip(z/a, -1, 1) (t' = 1/a inside |z| < a, else 0).
// At a = 0 the target is a step whose derivative is 0 almost everywhere; the model then keeps the
// straight-through estimator. It runs on any qubit layer that runs a model through its interface
// (sim-cpu, the hardware layer, the noisy layer); sim-wasm's kernels run only the built-in model.
import { qubitNeuron } from "@natural-quantization/core";

const HALF_PI = Math.PI / 2;

/** dE[d]/dz of a neuron from its reset state, read out with entanglement angle g. */
export function expectedOutcomeSlope(z, g, params) {
  const { a, activation } = params;
  if (a === 0) return Math.abs(z) < 1 ? 1 : 0;
  const x = z / a;
  const t = activation === "tanh" ? Math.tanh(x) : Math.max(-1, Math.min(1, x));
  const slope = activation === "tanh" ? (1 - t * t) / a : Math.abs(x) < 1 ? 1 / a : 0;
  return Math.sin(g) * HALF_PI * Math.cos(HALF_PI * t) * slope;
}

/** The plugin `--neuron ./examples/neurons/soft-ste.mjs` loads. */
export const neuron = {
  name: "soft-ste",
  description: "the paper's qubit neuron with the straight-through gradient replaced by the derivative of the expected outcome",
  create(params) {
    const paper = qubitNeuron.create(params);
    const model = {
      name: "soft-ste",
      params,
      target: (z) => paper.target(z),
      rotation: (z, m) => paper.rotation(z, m),
      probPlus: (alpha, g) => paper.probPlus(alpha, g),
      backAction: (alpha, outcome, g) => paper.backAction(alpha, outcome, g),
      // The paper's layer rule (the last hidden layer is projective), with this model in it.
      layer: (layer, hiddenLayers) => ({ ...paper.layer(layer, hiddenLayers), model }),
      step: (state, z, u, g) => paper.step(state, z, u, g),
      gradient: (z, g) => expectedOutcomeSlope(z, g, params),
      gates: (angle, g) => paper.gates(angle, g),
    };
    return model;
  },
};
