import type { Machine, QubitLayer, QubitRegister, RunContext, Tensor } from "./backend.js";
import type { NeuronLayerParams } from "./neuron.js";

/** One neuronLayer call as a recording layer sees it, after the layer ran (d holds its outcomes). */
export interface LayerCallRecord {
  readonly z: Tensor;
  readonly d: Tensor;
  readonly params: NeuronLayerParams;
  readonly run: RunContext;
  readonly n: number;
}

/**
 * The machine's qubit layer with a hook after every neuronLayer call (inspection, agreement tests):
 * same outcomes, same capabilities; the hook reads what it needs from z and d through the dense engine.
 */
export function recordingQubitLayer(machine: Machine, onLayer: (call: LayerCallRecord) => void | Promise<void>): QubitLayer {
  const inner = machine.qubits;
  return {
    name: inner.name,
    capabilities: inner.capabilities,
    qubitRegister: (rows: number, cols: number) => inner.qubitRegister(rows, cols),
    resetQubits: (q: QubitRegister, n: number) => inner.resetQubits(q, n),
    release: (q: QubitRegister) => inner.release?.(q),
    async neuronLayer(z, q, d, params, run, n) {
      await inner.neuronLayer(z, q, d, params, run, n);
      await onLayer({ z, d, params, run, n });
    },
  };
}
