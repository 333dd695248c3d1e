import { neuronUniforms, type AngleRegister, type NeuronLayerParams, type RunContext } from "@natural-quantization/core";

/**
 * One layer of neuron updates on a host register: every (row, neuron) steps through the layer's
 * neuron model with its draw from the run's counter-based stream. Shared by sim-cpu's backend and
 * its qubit layer for other dense engines, so the physics of a step is written once.
 */
export class NeuronStepper {
  private uniforms = new Float64Array(0);
  private outcomes = new Float32Array(0);

  /** Updates the first n rows of `reg` from z (row-major, n x cols); returns the outcomes (+1 / -1), valid until the next call. */
  step(params: NeuronLayerParams, reg: AngleRegister, z: ArrayLike<number>, run: RunContext, n: number): Float32Array {
    const count = n * reg.cols;
    if (z.length < count) throw new RangeError(`neuronLayer: z has ${z.length} values, the register's ${n} rows need ${count}`);
    if (this.uniforms.length < count) {
      this.uniforms = new Float64Array(count);
      this.outcomes = new Float32Array(count);
    }
    neuronUniforms(run, n, reg.cols, this.uniforms);
    const { model, g } = params;
    for (let i = 0; i < count; i++) {
      const next = model.step({ alpha: reg.alpha[i], m: reg.m[i] as 1 | -1 }, z[i], this.uniforms[i], g);
      reg.alpha[i] = next.alpha;
      reg.m[i] = next.m;
      this.outcomes[i] = next.m;
    }
    return this.outcomes.subarray(0, count);
  }
}
