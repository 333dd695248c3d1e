import { join, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { resolve as resolveModule } from "import-meta-resolve";
import { ConfigError, qubitNeuron, UserError, type NeuronPlugin } from "@natural-quantization/core";
import { isNotFound, isPath } from "./backends.js";

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
  let url: string;
  try {
    url = isPath(name) ? pathToFileURL(resolvePath(cwd, name)).href : resolveModule(name, pathToFileURL(join(cwd, "package.json")).href);
  } catch (e) {
    if (isNotFound(e)) throw new ConfigError("neuron", name, `${Object.keys(KNOWN_NEURONS).join(", ")}, a package installed in ${cwd}, or a path to a module exporting \`neuron\``);
    throw e;
  }
  let mod: { neuron?: NeuronPlugin };
  try {
    mod = (await import(url)) as { neuron?: NeuronPlugin };
  } catch (e) {
    if (isNotFound(e) && isPath(name)) throw new UserError(`neuron module ${resolvePath(cwd, name)} does not exist; check the path (relative paths start from ${cwd})`);
    throw e;
  }
  const plugin = mod.neuron;
  if (!plugin || typeof plugin.create !== "function") throw new UserError(`${name} does not export a neuron model plugin (\`export const neuron: NeuronPlugin\`)`);
  return plugin;
}
