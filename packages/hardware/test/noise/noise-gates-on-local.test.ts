import { HALF_PI, RandomStream } from "@natural-quantization/core";
import { describe, expect, it } from "vitest";
import { layerCircuits, planLayer } from "../../src/layer-circuits.js";
import { toQasm2 } from "../../src/qasm.js";
import { fullyConnectedTarget } from "../../src/providers/ideal-target.js";
import { LocalProvider } from "../../src/providers/local-provider.js";
import { applyReadoutErrors, noisyCircuitInstances, noisyProbPlus, noiseModel } from "../../src/noise/index.js";

/** 4.89 binomial standard errors: a false-alarm rate of 1e-6 per unit checked. */
const Z = 4.89;

// The noisy simulator's outcome probabilities (the exact Bloch-vector channel) against the same
// noise inserted as sampled gates into the emitted circuits, run as OpenQASM 2 on the local
// provider (quantum-circuit): one shot per sampled circuit instance, so shots are independent.
describe("noisy simulator against noise inserted as gates, run on the local provider", () => {
  for (const [g, form] of [[HALF_PI, "cz"], [0.7, "cz"], [0.7, "cry"]] as const) {
    it(`g = ${g.toFixed(3)} (${form} form of the weak measurement)`, async () => {
      const model = noiseModel({ depolarizing: 0.2, amplitudeDamping: 0.1, thermalRelaxation: { t1: 30e-6, t2: 25e-6, time: 12e-6 }, readout: { p01: 0.05, p10: 0.12 }, ancillaDepolarizing: 0.3 });
      const layout = planLayer(fullyConnectedTarget(8), g, { weakForm: form });
      const angles = Float64Array.from([0.3, 1.2, 2.0, 2.9].slice(0, layout.neuronQubits.length));
      const [block] = layerCircuits(layout, angles);
      const K = 2500;
      const rng = new RandomStream(1, "noise", 77);
      const instances = noisyCircuitInstances(block, layout, model, K, rng);
      const result = await new LocalProvider({ numQubits: 16, seed: 3 }).run({
        pubs: instances.map((c) => ({ program: toQasm2(c), clbits: c.numClbits, bindings: null })),
        shots: 1,
      });
      const bits = applyReadoutErrors(result, model.readout, rng);
      angles.forEach((angle, i) => {
        let plus = 0;
        for (const pub of bits) if (pub[0][0][i] === 0) plus++;
        const p = noisyProbPlus(model, angle, g);
        expect(Math.abs(plus / K - p)).toBeLessThanOrEqual(Z * Math.sqrt((p * (1 - p)) / K));
      });
    });
  }
});
