import { HALF_PI, hiddenLayers, neuronLayerParams, shotBatchImages, type NetworkSpec } from "@natural-quantization/core";
import { layerCircuits, layerTemplate, planLayer, unitsPerBlock, type LayerLayout } from "../layer-circuits.js";
import type { CircuitJob, CostModel, ProviderCapabilities } from "../provider.js";
import { compileForTarget } from "../compile.js";
import { estimateCost, layerJobOf, unitsPerCall, type CostEstimate } from "../job-packing.js";
import type { Target } from "../target.js";

/** An angle with no special value (not 0, not a multiple of pi/2), so no gate of a block is simplified away. */
const GENERIC_ANGLE = 0.7;

export interface EvaluationCostInput {
  readonly network: NetworkSpec;
  readonly target: Target;
  readonly capabilities: ProviderCapabilities;
  readonly images: number;
  readonly shots: number;
  readonly maxUnitsPerBlock?: number;
  /** The provider's cost model: the total then carries its estimate (e.g. IBM's QPU seconds). */
  readonly costModel?: CostModel;
}

/** What an evaluation costs on a device, in total and per test image (k shots each). */
export interface EvaluationCost {
  readonly total: CostEstimate;
  /** Layer calls (the Trainer's batches times hidden layers). */
  readonly calls: number;
  readonly perImage: { readonly circuits: number; readonly shots: number; readonly jobs: number };
}

/**
 * The jobs, circuits and shots an evaluation would submit, computed by the same rules the device
 * path runs by (the Trainer's shot batching, the layer layouts, the provider's job packing).
 */
export function estimateEvaluationCost(input: EvaluationCostInput): EvaluationCost {
  const { network, target, capabilities, images, shots } = input;
  const H = hiddenLayers(network);
  const layouts = Array.from({ length: H }, (_, l) => planLayer(target, neuronLayerParams(network.neuron, l, H).g, { maxUnitsPerBlock: input.maxUnitsPerBlock }));
  const bindings = capabilities.parameterBindings;
  const perCall = shotBatchImages({ sampling: "shots", deterministic: false, maxQubits: target.numQubits, noise: true, unitsPerCall: unitsPerCall(planLayer(target, HALF_PI, { maxUnitsPerBlock: input.maxUnitsPerBlock }), capabilities, bindings) }, network.width, shots, images);
  // Every block of a layer is its compiled template bound to angles: the same gates, so the same duration.
  // A provider without parameter rows gets concrete circuits (a trapped-ion compiler needs them):
  // one block bound to a generic angle has the gates, and the duration, of any block.
  const circuitOf = (layout: LayerLayout) => (bindings ? layerTemplate(layout) : layerCircuits(layout, new Float64Array(unitsPerBlock(layout)).fill(GENERIC_ANGLE))[0]!);
  const compiled = layouts.map((layout) => compileForTarget(circuitOf(layout), target));
  const model = input.costModel;
  let amount = 0;
  let total: CostEstimate = { jobs: 0, pubs: 0, circuits: 0, shots: 0 };
  let calls = 0;
  for (let start = 0; start < images; start += perCall) {
    const count = Math.min(perCall, images - start);
    for (const [l, layout] of layouts.entries()) {
      const blocks = Math.ceil((count * shots * network.width) / unitsPerBlock(layout));
      const job: CircuitJob = layerJobOf(blocks, bindings, () => ({ program: "", clbits: 0, bindings: bindings ? Array.from({ length: blocks }, () => []) : null }));
      const c = estimateCost(job, capabilities);
      total = { jobs: total.jobs + c.jobs, pubs: total.pubs + c.pubs, circuits: total.circuits + c.circuits, shots: total.shots + c.shots };
      if (model) amount += model.estimate({ job, circuits: job.pubs.map(() => compiled[l]), target });
      calls++;
    }
  }
  if (model) total = { ...total, charge: { amount, unit: model.unit, paid: model.paid, confirmAbove: model.confirmAbove } };
  return { total, calls, perImage: { circuits: total.circuits / images, shots: total.shots / images, jobs: total.jobs / images } };
}
