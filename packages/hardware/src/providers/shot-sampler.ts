import type { RandomStream } from "@natural-quantization/core";
import type { Measurement } from "./qasm2-import.js";
import type { QubitComponent } from "./qubit-components.js";

/** A component with its exact outcome probabilities, ready to draw from. */
export interface SampledComponent {
  readonly component: QubitComponent;
  readonly probabilities: Float64Array;
}

/**
 * Draws `shots` shots of a program from its components' exact distributions. Each shot takes
 * one uniform per component from `stream` (in component order) and inverts the cumulative
 * distribution, so the draws are a pure function of the stream: a seeded run is reproducible.
 * Element i of a shot is the value measured into c[i] (0 for bits nothing is measured into).
 */
export function sampleShots(
  components: readonly SampledComponent[],
  measurements: readonly Measurement[],
  numClbits: number,
  shots: number,
  stream: RandomStream,
): Uint8Array[] {
  const cumulative = components.map((c) => cumulativeOf(c.probabilities));
  const clbitsOf = components.map((c) =>
    c.component.measured.map((q) => measurements.filter((m) => m.qubit === q).map((m) => m.clbit)),
  );
  const out: Uint8Array[] = [];
  for (let s = 0; s < shots; s++) {
    const shot = new Uint8Array(numClbits);
    for (let c = 0; c < components.length; c++) {
      const outcome = drawIndex(cumulative[c], stream.uniform());
      const targets = clbitsOf[c];
      for (let k = 0; k < targets.length; k++) {
        const bit = (outcome >> k) & 1;
        for (const clbit of targets[k]) shot[clbit] = bit;
      }
    }
    out.push(shot);
  }
  return out;
}

function cumulativeOf(p: Float64Array): Float64Array {
  const c = new Float64Array(p.length);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    sum += p[i];
    c[i] = sum;
  }
  // Rounding leaves the total a few ulps off 1; scale so u in [0, 1) always lands inside.
  for (let i = 0; i < c.length; i++) c[i] /= sum;
  return c;
}

/** Smallest i with u < cumulative[i] (binary search); the last index when u is past them all. */
export function drawIndex(cumulative: Float64Array, u: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (u < cumulative[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
