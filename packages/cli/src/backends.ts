import { resolve as resolveModule } from "import-meta-resolve";
import { importPlugin, isModuleNotFound } from "@natural-quantization/core/node";
import { container } from "tsyringe";
import { UserError, type BackendPlugin } from "@natural-quantization/core";

/** Backends this CLI knows by short name, fastest first. Any other npm package that exports `backend` works too. */
export const KNOWN_BACKENDS: Readonly<Record<string, string>> = {
  "sim-native": "@natural-quantization/sim-native",
  "sim-wasm": "@natural-quantization/sim-wasm",
  "sim-cpu": "@natural-quantization/sim-cpu",
  "sim-tfjs": "@natural-quantization/sim-tfjs",
  hardware: "@natural-quantization/hardware",
};

/** sim-wasm passes the conformance suite and agrees with sim-cpu; it is the default for its speed. */
export const DEFAULT_BACKEND = "sim-wasm";

/** `--backend auto`: the first of AUTO_CANDIDATES (fastest first) that loads on this machine. */
export const AUTO_BACKEND = "auto";
export const AUTO_CANDIDATES: readonly string[] = ["sim-native", "sim-wasm", "sim-cpu"];

const ALLOWED = `${AUTO_BACKEND}, ${Object.keys(KNOWN_BACKENDS).join(", ")}, the name of a package installed in the current directory that exports \`backend\`, or a path to such a module (./my-backend.mjs)`;

/**
 * Loads a backend plugin: a known short name, the name of a package installed in the current
 * directory (then beside the CLI, for a plugin installed beside a global nq), or a path
 * (relative to the current directory, or absolute) to a module, that exports
 * `backend: BackendPlugin`. That is how contributed backends plug in without a change to the CLI.
 */
export async function loadBackend(name: string, cwd: string = process.cwd()): Promise<BackendPlugin> {
  if (name === AUTO_BACKEND) return loadBackend(await resolveAuto(), cwd);
  const known = KNOWN_BACKENDS[name];
  if (known) {
    // Known short names resolve from the CLI's own dependencies.
    let url: string;
    try {
      url = resolveModule(known, import.meta.url);
    } catch (e) {
      if (isModuleNotFound(e)) throw new UserError(`backend ${name} is not installed (package ${known}); install it with npm install ${known}`);
      throw e;
    }
    return importPlugin(url, { kind: "backend", exportName: "backend", isPlugin: isBackendPlugin, allowed: ALLOWED, cwd });
  }
  return importPlugin(name, { kind: "backend", exportName: "backend", isPlugin: isBackendPlugin, allowed: ALLOWED, cwd, alsoFrom: [import.meta.url] });
}

function isBackendPlugin(value: unknown): value is BackendPlugin {
  return typeof value === "object" && value !== null && typeof (value as BackendPlugin).register === "function";
}

/** The installed backends among the known ones that load here (sim-native needs its compiled addon), in order. */
export async function installedBackends(): Promise<BackendPlugin[]> {
  const found: BackendPlugin[] = [];
  for (const name of Object.keys(KNOWN_BACKENDS)) {
    try {
      const plugin = await loadBackend(name);
      // A simulator checks on registering that it can run here (sim-native loads its addon).
      if (plugin.provides !== "qubits") await plugin.register(container.createChildContainer(), {});
      found.push(plugin);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
    }
  }
  return found;
}

let autoChoice: string | undefined;

/**
 * The backend `--backend auto` stands for: the first of AUTO_CANDIDATES whose plugin loads and
 * registers (sim-native's needs its compiled addon). Says on stderr which one, once per process.
 */
export async function resolveAuto(): Promise<string> {
  if (autoChoice) return autoChoice;
  const skipped: string[] = [];
  for (const name of AUTO_CANDIDATES) {
    try {
      const plugin = await loadBackend(name);
      // Registering is where a plugin checks that it can run here (sim-native loads its addon); nothing is built yet.
      await plugin.register(container.createChildContainer(), {});
      autoChoice = name;
      process.stderr.write(`backend auto: ${name} (the fastest that loads here${skipped.length ? `; skipped ${skipped.join(", ")}` : ""})\n`);
      return name;
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      skipped.push(`${name}: ${e.message}`);
    }
  }
  throw new UserError(`backend auto: no backend loads here (${skipped.join("; ")})`);
}
