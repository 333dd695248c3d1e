import { join } from "node:path";
import { Option, type Command } from "commander";
import { HALF_PI, Tokens, validateNeuron, type NetworkSpec } from "@natural-quantization/core";
import { loadCheckpoint, writeFileAtomic, writeJsonAtomic } from "@natural-quantization/core/node";
import { loadDataset } from "@natural-quantization/datasets";
import type { LayerCall, QasmFormat } from "@natural-quantization/hardware";
import { loadHardware, type Hardware } from "./hardware-module.js";
import { composeMachine, disposeMachine } from "./experiment.js";
import { parseInteger, parseNumber } from "@natural-quantization/core";
import { stderrProgress } from "./progress.js";

interface CircuitsCliOptions {
  weights: string;
  a?: string;
  g?: string;
  images: string;
  target: string;
  format: QasmFormat;
  identityPairs: string;
  seed: string;
  out: string;
}

/**
 * `nq circuits`: one forward pass of N test images on the local provider, writing every hidden
 * layer's circuits (compiled for the target, exactly as a device would get them) with a manifest
 * that says which unit sits where. The outcomes of each layer are drawn by the local simulator, so
 * the next layer's angles (and circuits) are those of one real pass.
 */
export function registerCircuitsCommand(program: Command): void {
  program
    .command("circuits")
    .description("write one forward pass's hidden-layer circuits (OpenQASM, native gates of a target) for inspection or for running elsewhere")
    .requiredOption("--weights <file>", "weights.json or checkpoint.json written by nq train")
    .option("--a <a>", "override the quantumness a of the saved network")
    .option("--g <g>", "override the entanglement angle g of the saved network")
    .option("--images <n>", "test images in the pass", "4")
    .option("--target <name|file|dir>", "heron, eagle, a target JSON file, or an IBM calibration snapshot directory (conf_NAME.json + props_NAME.json)", "heron")
    .addOption(new Option("--format <f>", "OpenQASM version").choices(["qasm3", "qasm2"]).default("qasm3"))
    .option("--identity-pairs <k>", "identity pairs before each measurement", "0")
    .option("--seed <n>", "seed of the local simulator's shots", "0")
    .requiredOption("--out <dir>", "directory for the circuits and manifest.json")
    .action(async (o: CircuitsCliOptions) => {
      const ck = loadCheckpoint(o.weights);
      const neuron = validateNeuron({
        ...ck.network.neuron,
        ...(o.a === undefined ? {} : { a: parseNumber("a", o.a) }),
        ...(o.g === undefined ? {} : { g: parseNumber("g", o.g, { angle: true }) }),
      });
      const network: NetworkSpec = { ...ck.network, neuron };
      const images = parseInteger("images", o.images, 1, 10_000);
      const dataset = loadDataset(ck.dataset.name, { trainSize: ck.dataset.trainSize, testSize: images });
      const layers: object[] = [];
      const hardware = await loadHardware();
      const onLayer = (call: LayerCall) => layers.push(writeLayer(hardware, o.out, o.format, call));
      const progress = stderrProgress();
      const c = await composeMachine({
        backend: "hardware",
        hardware: { provider: "local", target: o.target, identityPairs: parseInteger("identity-pairs", o.identityPairs, 0, 1000), seed: parseInteger("seed", o.seed, 0, 0xffffffff), onLayer },
      }, progress.reporter());
      try {
        await c.resolve(Tokens.Trainer).evaluate({ network, weights: ck.weights, split: dataset.test, shots: 1, seed: 0 });
      } finally {
        progress.close();
        disposeMachine(c);
      }
      writeJsonAtomic(join(o.out, "manifest.json"), {
        weights: o.weights,
        network,
        target: o.target,
        format: o.format,
        images: dataset.test.n,
        unitOrder: "unit u = image * width + neuron; block b holds units b*U .. b*U+U-1 in its slots 0..U-1",
        bitOrder: "c[i] is the outcome of slot i (the neuron, or its ancilla when g < pi/2); 0 means m' = +1",
        layers,
      });
      process.stderr.write(`wrote ${layers.length} hidden layers' circuits to ${o.out}\n`);
    });
}

/** Writes one layer's concrete block circuits (and, for OpenQASM 3, the template with its binding rows). */
function writeLayer(hardware: Hardware, out: string, format: QasmFormat, call: LayerCall): object {
  const dir = join(out, `layer-${call.layer + 1}`);
  const ext = format === "qasm3" ? "qasm" : "qasm2";
  const concrete = call.job({ format, bindings: false });
  const width = String(concrete.pubs.length - 1).length;
  concrete.pubs.forEach((pub, b) => writeFileAtomic(join(dir, `block-${String(b).padStart(width, "0")}.${ext}`), pub.program));
  if (format === "qasm3") {
    const [template] = call.job({ format, bindings: true }).pubs;
    writeFileAtomic(join(dir, "template.qasm"), template.program);
    writeJsonAtomic(join(dir, "bindings.json"), template.bindings);
  }
  const cost = hardware.layerCost(call.layout, call.angles.length);
  return {
    layer: call.layer + 1,
    g: call.layout.g,
    projective: call.layout.g === HALF_PI,
    units: cost.units,
    unitsPerBlock: cost.unitsPerBlock,
    blocks: cost.blocks,
    qubitsPerBlock: cost.qubitsPerBlock,
    neuronQubits: call.layout.neuronQubits,
    ancillaQubits: call.layout.ancillaQubits,
    // What the layout left out of the target and why: faulty qubits and couplers, poor readout.
    avoided: {
      maxReadoutError: call.layout.avoided.maxReadoutError,
      qubits: call.layout.avoided.avoidedQubits,
      couplers: call.layout.avoided.avoidedCouplers,
    },
    angles: Array.from(call.angles),
  };
}
