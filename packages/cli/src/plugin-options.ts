// Options that plugins declare for themselves (BackendPlugin.options, ExecutorPlugin.options): the
// CLI reads the backend or executor named on the command line before it builds its commands, adds
// that plugin's options to the commands that use it, and hands their values back to the plugin. A
// contributed backend or sweep executor thus takes options of its own with no change to the CLI.
import { Option, type Command } from "commander";
import { UserError, type PluginOption, type PluginOptionValues } from "@natural-quantization/core";
import { isExecutorName, loadExecutor, type ExecutorPlugin } from "@natural-quantization/sweep";
import { AUTO_BACKEND, DEFAULT_BACKEND, KNOWN_BACKENDS, loadBackend } from "./backends.js";

/** The options one plugin declares: a backend's (nq train, eval, predict) or a sweep executor's. */
export type DeclaredOptions =
  | {
      readonly kind: "backend";
      readonly plugin: string;
      /** A device ("qubits") cannot train, so nq train leaves its options out. */
      readonly trains: boolean;
      readonly options: readonly PluginOption[];
    }
  | { readonly kind: "executor"; readonly plugin: string; readonly options: readonly PluginOption[] };

/** The commands that run a network on a chosen machine, and so take the options its plugins declare. */
export const COMMANDS_WITH_PLUGIN_OPTIONS = ["train", "eval", "predict"] as const;
/** The commands that train a sweep's cells on a backend and run them on an executor, and so take the options both declare. */
export const SWEEP_COMMANDS = ["sweep", "reproduce", "followup-study"] as const;

/** The last value given for --name in argv (`--name v` or `--name=v`), if any. */
export function argValue(argv: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    if (arg === `--${name}` && i + 1 < argv.length) value = argv[++i];
    else if (arg.startsWith(`--${name}=`)) value = arg.slice(name.length + 3);
  }
  return value;
}

/**
 * The options of the backend named by --backend (for train, eval and predict the default backend
 * where none is), and for the sweep commands of the contributed executor named by --executor. A
 * name that does not load declares nothing here: the command itself then says what is wrong with it.
 */
export async function declaredOptions(argv: readonly string[]): Promise<DeclaredOptions[]> {
  // Only the commands that offer plugin options load a plugin before parsing: the others start
  // without importing one.
  const command = argv[0] ?? "";
  try {
    if ((SWEEP_COMMANDS as readonly string[]).includes(command)) {
      // A sweep's backend is the named one, else the one its directory was started with, else the
      // fastest installed: only a named one offers its options (a rerun keeps the stored values).
      const backend = argValue(argv, "backend");
      const executor = argValue(argv, "executor");
      return [
        ...(backend === undefined ? [] : await backendOptions(argv, backend)),
        ...(executor === undefined || isExecutorName(executor) ? [] : executorOptions(await loadExecutor(executor))),
      ];
    }
    if (!(COMMANDS_WITH_PLUGIN_OPTIONS as readonly string[]).includes(command)) return [];
    return await backendOptions(argv, argValue(argv, "backend") ?? DEFAULT_BACKEND);
  } catch (e) {
    if (e instanceof UserError) return [];
    throw e;
  }
}

async function backendOptions(argv: readonly string[], name: string): Promise<DeclaredOptions[]> {
  if (name === AUTO_BACKEND) return [];
  const plugin = await loadBackend(name);
  const more = plugin.moreOptions ? await plugin.moreOptions((option) => argValue(argv, option)) : [];
  const options = [...(plugin.options ?? []), ...more];
  return options.length ? [{ kind: "backend", plugin: plugin.name, trains: plugin.provides !== "qubits", options }] : [];
}

function executorOptions(plugin: ExecutorPlugin): DeclaredOptions[] {
  return plugin.options?.length ? [{ kind: "executor", plugin: plugin.name, options: plugin.options }] : [];
}

/** The options of every backend this CLI knows by name (for the generated reference). */
export async function knownDeclaredOptions(): Promise<DeclaredOptions[]> {
  const all: DeclaredOptions[] = [];
  for (const name of Object.keys(KNOWN_BACKENDS)) all.push(...(await declaredOptions(["eval", "--backend", name])));
  return all;
}

/** Adds the declared options to a command; a plugin option may not take the name of one nq has. */
export function addPluginOptions(cmd: Command, declared: readonly DeclaredOptions[]): Command {
  for (const { kind, plugin, options } of declared) {
    for (const o of options) {
      if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(o.name)) throw new UserError(`${kind} ${plugin} declares an option named ${JSON.stringify(o.name)}; option names are lower-case words joined by "-" (fix the plugin)`);
      if (cmd.options.some((existing) => existing.long === `--${o.name}`)) {
        throw new UserError(`${kind} ${plugin} declares --${o.name}, which nq ${cmd.name()} has already; rename the option in the plugin`);
      }
      const option = new Option(o.value === undefined ? `--${o.name}` : `--${o.name} <${o.value}>`, `with --${kind} ${plugin}: ${o.description}`);
      cmd.addOption(o.default === undefined ? option : option.default(o.default));
    }
  }
  return cmd;
}

/** The values of the declared options, as commander parsed them, for the plugin's register. */
export function pluginSettings(values: Readonly<Record<string, unknown>>, declared: readonly DeclaredOptions[]): PluginOptionValues {
  const settings: Record<string, string | true> = {};
  for (const { options } of declared) {
    for (const o of options) {
      const v = values[new Option(`--${o.name}`).attributeName()];
      if (typeof v === "string" || v === true) settings[o.name] = v;
    }
  }
  return settings;
}
