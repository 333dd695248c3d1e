import type { Command } from "commander";
import { PAPER_NETWORK, validateNetwork, type NetworkSpec } from "@natural-quantization/core";
import { loadCheckpoint } from "@natural-quantization/core/node";
import { loadHardware } from "./hardware-module.js";
import { ConfigError } from "@natural-quantization/core";
import { parseInteger, parseNumber } from "@natural-quantization/core";
import { writeStdout } from "./output.js";

interface CostCliOptions {
  weights?: string;
  width: string;
  depth: string;
  g: string;
  target?: string;
  provider: string;
  images: string;
  shots: string;
  maxUnitsPerBlock?: string;
  json?: boolean;
}

/** `nq cost`: what evaluating a network on a device submits, before anything is submitted. */
export function registerCostCommand(program: Command): void {
  program
    .command("cost")
    .description("the jobs, circuits and shots an evaluation on a device would submit (nothing is submitted)")
    .option("--weights <file>", "take the network from a weights file (else --width, --depth, --g)")
    .option("--width <n>", "qubits per hidden layer", String(PAPER_NETWORK.width))
    .option("--depth <n>", "linear layers (hidden qubit layers = depth - 1)", String(PAPER_NETWORK.depth))
    .option("--g <g>", "entanglement angle (pi/2: Model 1, one qubit per neuron; less: an ancilla per neuron)", "pi/2")
    .option("--target <name|file>", "heron, eagle, aria or a target JSON file (default: the built-in model of the provider's devices: eagle for ibm-runtime, aria for ionq)")
    .option("--provider <name>", "a built-in provider (local, ibm-runtime, ionq): its job limits, circuit form and cost model (ibm-runtime: one parameterised circuit per layer call, QPU seconds; ionq: two-qubit gate-shots)", "ibm-runtime")
    .option("--images <n>", "test images", "5000")
    .option("--shots <k>", "k of the k-shot majority vote", "15")
    .option("--max-units-per-block <n>", "at most this many neurons per circuit (the authors used 96 of 127 qubits)")
    .option("--json", "print JSON")
    .action(async (o: CostCliOptions) => {
      const { estimateEvaluationCost, PROVIDERS, resolveTarget } = await loadHardware();
      const network: NetworkSpec = o.weights
        ? loadCheckpoint(o.weights).network
        : validateNetwork({ ...PAPER_NETWORK, width: parseInteger("width", o.width, 1), depth: parseInteger("depth", o.depth, 2), neuron: { ...PAPER_NETWORK.neuron, g: parseNumber("g", o.g, { angle: true }) } });
      const plugin = PROVIDERS[o.provider];
      if (!plugin) throw new ConfigError("provider", o.provider, Object.keys(PROVIDERS).join(", "));
      const { capabilities, costModel } = plugin;
      const images = parseInteger("images", o.images, 1);
      const shots = parseInteger("shots", o.shots, 1);
      const maxUnitsPerBlock = o.maxUnitsPerBlock === undefined ? undefined : parseInteger("max-units-per-block", o.maxUnitsPerBlock, 1);
      const target = o.target ?? plugin.targets.offline ?? "eagle";
      const cost = estimateEvaluationCost({ network, target: resolveTarget(target), capabilities, images, shots, maxUnitsPerBlock, costModel });
      const record = { width: network.width, depth: network.depth, g: network.neuron.g, target, provider: o.provider, images, shots, ...cost };
      if (o.json) {
        writeStdout(`${JSON.stringify(record)}\n`);
        return;
      }
      const t = cost.total;
      writeStdout(
        `${network.inputSize}-${Array(network.depth - 1).fill(network.width).join("-")}-${network.outputSize} on ${target} via ${o.provider}, ${images} images x ${shots} shots:\n` +
          `  ${t.jobs} jobs, ${t.pubs === t.circuits ? "" : `${t.pubs} PUBs, `}${t.circuits} circuits, ${t.shots} circuit executions (${cost.calls} layer calls)\n` +
          `  per test image: ${cost.perImage.circuits.toFixed(2)} circuits, ${cost.perImage.shots.toFixed(2)} executions, ${cost.perImage.jobs.toFixed(4)} jobs\n` +
          (t.charge ? `  estimated ${t.charge.amount === 0 ? "0" : t.charge.amount.toPrecision(3)} ${t.charge.unit} (${costModel.description})\n` : ""),
      );
    });
}
