/**
 * The accuracies the follow-up study (arXiv:2507.21222) published for its statistics run: the
 * 784-16-16-16-10 htanh network, 55 test images, each classified by the majority vote of 10 passes,
 * on a superconducting IBM device and in the authors' own simulation. Fraction correct of the 55
 * images (one image is 1/55 = 0.018). Read off the authors' public repository
 * Galitski-theory-group/natural-quantization (figures/statistics.png, notebooks/statistics_analysis.ipynb).
 */
export const FOLLOWUP_PUBLISHED = {
  source: "Galitski-theory-group/natural-quantization: figures/statistics.png, notebooks/statistics_analysis.ipynb",
  images: 55,
  passes: 10,
  a: [0, 0.1, 0.2, 0.5, 1, 1.5, 2],
  superconductingDevice: [0.945, 0.891, 0.945, 0.982, 0.909, 0.836, 0.745],
  authorsSimulation: [0.836, 0.873, 0.909, 0.964, 0.909, 0.855, 0.873],
} as const;
