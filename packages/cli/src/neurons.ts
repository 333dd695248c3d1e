import { qubitNeuron, type NeuronPlugin } from "@natural-quantization/core";
import { importPlugin } from "@natural-quantization/core/node";

/** Neuron models this CLI knows by name. Any package or module exporting `neuron` works too. */
export const KNOWN_NEURONS: Readonly<Record<string, NeuronPlugin>> = { [qubitNeuron.name]: qubitNeuron };

export const NEURON_HELP = `neuron model: ${Object.keys(KNOWN_NEURONS).join(", ")} (the paper's), a package installed in the current directory, or a path to a module (./my-neuron.mjs), exporting \`neuron\``;

/**
 * A neuron model plugin: a known name, the name of a package installed in the current directory, or
 * a path to a module, that exports `neuron: NeuronPlugin` (see core's README).
 */
export async function loadNeuron(name: string, cwd: string = process.cwd()): Promise<NeuronPlugin> {
  const known = KNOWN_NEURONS[name];
  if (known) return known;
  return importPlugin(name, {
    kind: "neuron",
    exportName: "neuron",
    isPlugin: (v): v is NeuronPlugin => typeof v === "object" && v !== null && typeof (v as NeuronPlugin).create === "function",
    allowed: `${Object.keys(KNOWN_NEURONS).join(", ")}, a package installed in the current directory, or a path to a module exporting \`neuron\``,
    cwd,
  });
}
