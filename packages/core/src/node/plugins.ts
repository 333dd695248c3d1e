// One loader for every kind of plugin a front end takes by name (backends, neuron models, device
// providers, sweep executors): a path is taken from the current directory, a package name is
// resolved from the current directory's node_modules (where the user installed it) and then from
// the front end's own, and the module must export the plugin under the kind's name.
import { isAbsolute, join, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { resolve as resolveModule } from "import-meta-resolve";
import { ConfigError, UserError } from "../errors.js";

export interface PluginRequest<P> {
  /** What the plugin is, as the setting that names it: "backend", "neuron", "provider", "executor". */
  readonly kind: string;
  /** The export that holds the plugin (`backend`, `neuron`, `provider`, `executor`). */
  readonly exportName: string;
  /** Whether the export is such a plugin (checked before it is used). */
  readonly isPlugin: (value: unknown) => value is P;
  /** What may be given, for the error when nothing is found (the known names first). */
  readonly allowed: string;
  /** Where paths and installed packages are looked up (default: the current directory). */
  readonly cwd?: string;
  /** Module URLs to resolve package names from after cwd (a front end's own import.meta.url). */
  readonly alsoFrom?: readonly string[];
}

/** A path (relative to the current directory, or absolute), as opposed to a package name. */
export function isModulePath(name: string): boolean {
  return name.startsWith("./") || name.startsWith("../") || name === "." || name === ".." || isAbsolute(name);
}

/** Node's "no such module" errors. */
export function isModuleNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED";
}

/** A valid npm package name, optionally scoped, optionally with a subpath. */
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*(\/[^/].*)?$/i;

/** The URL of the module a plugin name stands for. */
export function locatePlugin(name: string, request: Pick<PluginRequest<unknown>, "kind" | "allowed" | "cwd" | "alsoFrom">): string {
  const cwd = request.cwd ?? process.cwd();
  if (isModulePath(name)) return pathToFileURL(resolvePath(cwd, name)).href;
  // A module the front end resolved itself (its own dependency).
  if (name.startsWith("file:")) return name;
  if (!PACKAGE_NAME.test(name)) throw new ConfigError(request.kind, name, request.allowed);
  for (const parent of [pathToFileURL(join(cwd, "package.json")).href, ...(request.alsoFrom ?? [])]) {
    try {
      return resolveModule(name, parent);
    } catch (e) {
      if (!isModuleNotFound(e)) throw e;
    }
  }
  throw new ConfigError(request.kind, name, `${request.allowed}; no package ${name} is installed in ${cwd} (install it there with npm install ${name})`);
}

/** Imports the module a plugin name stands for and returns its plugin export. */
export async function importPlugin<P>(name: string, request: PluginRequest<P>): Promise<P> {
  const cwd = request.cwd ?? process.cwd();
  const url = locatePlugin(name, request);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    if (isModuleNotFound(e) && isModulePath(name)) {
      throw new UserError(`${request.kind} module ${resolvePath(cwd, name)} does not exist; check the path (relative paths start from ${cwd})`);
    }
    throw e;
  }
  const plugin = mod[request.exportName];
  if (!request.isPlugin(plugin)) throw new UserError(`${name} does not export a ${request.kind} plugin (\`export const ${request.exportName}\`)`);
  return plugin;
}
