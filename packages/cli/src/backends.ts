import { ConfigError, UserError, type BackendPlugin } from "@natural-quantization/core";

/** Backends this CLI knows by short name, fastest first. Any other npm package that exports `backend` works too. */
export const KNOWN_BACKENDS: Readonly<Record<string, string>> = {
  "sim-wasm": "@natural-quantization/sim-wasm",
  "sim-cpu": "@natural-quantization/sim-cpu",
  hardware: "@natural-quantization/hardware",
};

/** sim-wasm passes the conformance suite and agrees with sim-cpu; it is the default for its speed. */
export const DEFAULT_BACKEND = "sim-wasm";

/**
 * Loads a backend plugin: a known short name, or the name of an installed package (or a path
 * to a module) that exports `backend: BackendPlugin`. That is how contributed backends plug in
 * without a change to the CLI.
 */
export async function loadBackend(name: string): Promise<BackendPlugin> {
  const specifier = KNOWN_BACKENDS[name] ?? (name.includes("/") || name.startsWith(".") ? name : null);
  if (!specifier) throw new ConfigError("backend", name, `${Object.keys(KNOWN_BACKENDS).join(", ")}, or an installed package exporting \`backend\``);
  let mod: { backend?: BackendPlugin };
  try {
    mod = (await import(specifier)) as { backend?: BackendPlugin };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new UserError(`backend ${name} is not installed (package ${specifier}); install it with npm install ${specifier}`);
    }
    throw e;
  }
  const plugin = mod.backend;
  if (!plugin || typeof plugin.register !== "function") {
    throw new UserError(`package ${specifier} does not export a backend plugin (\`export const backend: BackendPlugin\`)`);
  }
  return plugin;
}

/** The installed backends among the known ones, in order. */
export async function installedBackends(): Promise<BackendPlugin[]> {
  const found: BackendPlugin[] = [];
  for (const name of Object.keys(KNOWN_BACKENDS)) {
    try {
      found.push(await loadBackend(name));
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
    }
  }
  return found;
}
