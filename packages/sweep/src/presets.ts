import { ConfigError, HALF_PI, PAPER_TRAINING } from "@natural-quantization/core";
import type { PartialGrid, SweepPlan } from "./config.js";

/** Model 1 of the paper: quantumness a at projective measurement. */
export const PAPER_A = [0, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 4] as const;
/** Model 2 of the paper: entanglement angle g of the classical sign target. */
export const PAPER_G = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.2, 1.4, HALF_PI] as const;

/** The quantumness values of the follow-up study (arXiv:2507.21222), run on devices at g = pi/2. */
export const FOLLOWUP_A = [0, 0.1, 0.2, 0.5, 1, 1.5, 2] as const;

const PAPER_GRIDS: readonly PartialGrid[] = [
  { name: "Model 1: a at g = pi/2", a: PAPER_A, g: [HALF_PI] },
  { name: "Model 2: g at a = 0", a: [0], g: PAPER_G },
];

/**
 * Built-in sweeps. `paper` is the paper's network and training (docs/model.md §1, §5 and §6).
 * `quick` keeps the grids and shrinks everything else so the 57 cells finish in a few
 * minutes on two cores with sim-cpu; it is a first look, not the paper's numbers.
 */
export const PRESETS: Readonly<Record<string, { readonly description: string; readonly plan: SweepPlan }>> = {
  paper: {
    description: "the paper: 784-512-512-512-10, 100 epochs, 5000/5000 of the bundled MNIST subset, k = 15, 3 seeds",
    plan: {
      settings: {
        dataset: "mnist-subset", trainSize: 5000, testSize: 5000, width: 512, depth: 4, bias: false, activation: "tanh",
        epochs: PAPER_TRAINING.epochs, batch: PAPER_TRAINING.batch, lr: PAPER_TRAINING.lr, momentum: PAPER_TRAINING.momentum, shots: PAPER_TRAINING.shots,
      },
      seeds: [0, 1, 2],
      grids: PAPER_GRIDS,
    },
  },
  quick: {
    description: "the paper's grids on a small network and data: 784-64-64-10, 4 epochs, 2000/1000 of the bundled MNIST subset, batch 32, k = 5, 3 seeds",
    plan: {
      settings: {
        dataset: "mnist-subset", trainSize: 2000, testSize: 1000, width: 64, depth: 3, bias: false, activation: "tanh",
        // Batch 32 rather than 64: twice the steps in few epochs.
        epochs: 4, batch: 32, lr: 0.01, momentum: 0.9, shots: 5,
      },
      seeds: [0, 1, 2],
      grids: PAPER_GRIDS,
    },
  },
  followup: {
    description: "the follow-up study's device network: 784-16-16-16-10, htanh, a in 0,0.1,0.2,0.5,1,1.5,2 at g = pi/2, 100 epochs, 5000/5000 of the bundled MNIST subset, k = 10, 5 seeds",
    plan: {
      settings: {
        dataset: "mnist-subset", trainSize: 5000, testSize: 5000, width: 16, depth: 4, bias: false, activation: "htanh",
        // k = 10: the study's statistics run took the majority vote of 10 passes per image.
        epochs: PAPER_TRAINING.epochs, batch: PAPER_TRAINING.batch, lr: PAPER_TRAINING.lr, momentum: PAPER_TRAINING.momentum, shots: 10,
      },
      seeds: [0, 1, 2, 3, 4],
      grids: [{ name: "follow-up: a at g = pi/2", a: FOLLOWUP_A, g: [HALF_PI] }],
    },
  },
};

export function presetPlan(name: string): SweepPlan {
  const p = PRESETS[name];
  if (!p) throw new ConfigError("preset", name, Object.keys(PRESETS).join(", "));
  return p.plan;
}
