import { readFileLimited } from "@natural-quantization/core/node";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { ACTIVATIONS, ConfigError, HALF_PI, PAPER_NETWORK, UserError, type Activation, type PluginOptionValues } from "@natural-quantization/core";
import type { ExperimentConfig } from "./experiment.js";
import { parseList, validateA, validateG, validateSeeds, type SweepGrid } from "./grid.js";

/** Everything of a cell's configuration except a, g and the seed: shared by all cells of a sweep. */
export interface SweepSettings {
  readonly backend: string;
  readonly dataset: string;
  /** Undefined: every row (sweep.json then has no such key). */
  readonly trainSize?: number;
  readonly testSize?: number;
  readonly width: number;
  readonly depth: number;
  readonly bias: boolean;
  readonly activation: Activation;
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  readonly momentum: number;
  readonly shots: number;
  /** Values of the options the backend declares for itself (absent: none given). */
  readonly backendSettings?: PluginOptionValues;
}

/** What defines a sweep's results; a directory holds one and refuses another. */
export interface SweepConfig {
  readonly settings: SweepSettings;
  readonly grids: readonly SweepGrid[];
}

/** A grid as a sweep file or preset gives it: missing a means [0], missing g [pi/2], missing seeds the file's. */
export interface PartialGrid {
  readonly name?: string;
  readonly a?: readonly number[];
  readonly g?: readonly number[];
  readonly seeds?: readonly number[];
}

/** A validated sweep file or preset: some settings, default seeds, and the grids. */
export interface SweepPlan {
  readonly settings: Partial<SweepSettings>;
  readonly seeds?: readonly number[];
  readonly grids?: readonly PartialGrid[];
}

export const SETTING_KEYS = ["backend", "dataset", "trainSize", "testSize", "width", "depth", "bias", "activation", "epochs", "batch", "lr", "momentum", "shots"] as const satisfies readonly (keyof SweepSettings)[];

const STRING_KEYS = new Set<string>(["backend", "dataset", "activation"]);
const BOOLEAN_KEYS = new Set<string>(["bias"]);
const FILE_KEYS = [...SETTING_KEYS, "seeds", "a", "g", "grids"];
const GRID_KEYS = ["name", "a", "g", "seeds"];

/** The settings of one cell's `nq train` run. */
export function settingsOf(c: ExperimentConfig): SweepSettings {
  return {
    backend: c.backend,
    dataset: c.dataset,
    trainSize: c.trainSize,
    testSize: c.testSize,
    width: c.network.width,
    depth: c.network.depth,
    bias: c.network.bias,
    activation: c.network.neuron.activation,
    epochs: c.training.epochs,
    batch: c.training.batch,
    lr: c.training.lr,
    momentum: c.training.momentum,
    shots: c.training.shots,
    ...(c.settings && Object.keys(c.settings).length > 0 ? { backendSettings: c.settings } : {}),
  };
}

/** The ExperimentConfig of one cell. */
export function cellConfig(s: SweepSettings, cell: { a: number; g: number; seed: number }, threads?: number): ExperimentConfig {
  return {
    backend: s.backend,
    ...(threads === undefined ? {} : { threads }),
    ...(s.backendSettings ? { settings: s.backendSettings } : {}),
    dataset: s.dataset,
    trainSize: s.trainSize,
    testSize: s.testSize,
    network: { ...PAPER_NETWORK, width: s.width, depth: s.depth, bias: s.bias, neuron: { a: cell.a, g: cell.g, activation: s.activation } },
    training: { epochs: s.epochs, batch: s.batch, lr: s.lr, momentum: s.momentum, shots: s.shots, seed: cell.seed },
  };
}

/** A sweep file is a page of settings and grids; a larger one is the wrong file. */
const SWEEP_FILE_MAX_BYTES = 16 * 2 ** 20;

/** Reads a sweep file (.json, .yaml or .yml) and validates it; errors name the file and the key. */
export function loadSweepFile(path: string): SweepPlan {
  const text = readFileLimited(path, "sweep file", SWEEP_FILE_MAX_BYTES).toString("utf8");
  const ext = extname(path).toLowerCase();
  let value: unknown;
  try {
    value = ext === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new UserError(`sweep file ${path} is not valid ${ext === ".json" ? "JSON" : "YAML"}: ${(e as Error).message.split("\n")[0]}`);
  }
  try {
    return parseSweepPlan(value);
  } catch (e) {
    if (e instanceof UserError) throw new UserError(`sweep file ${path}: ${e.message}`);
    throw e;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Validates a parsed sweep file. Shape: the settings of `nq train` under their camelCase names
 * (width, trainSize, ...), `seeds`, and either `a`/`g` (one grid) or `grids: [{name, a, g, seeds}]`.
 * a, g and seeds are numbers, strings such as "0:1.5:0.1" or "pi/2", or lists of those.
 */
export function parseSweepPlan(value: unknown): SweepPlan {
  if (!isRecord(value)) throw new UserError("expected an object with keys such as grids, seeds, epochs, width");
  unknownKeys(value, FILE_KEYS, "");
  const settings: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const v = value[key];
    if (v === undefined) continue;
    if (STRING_KEYS.has(key)) {
      if (typeof v !== "string") throw new ConfigError(key, v, "a string");
      if (key === "activation" && !ACTIVATIONS.includes(v as Activation)) throw new ConfigError(key, v, ACTIVATIONS.join(" or "));
    } else if (BOOLEAN_KEYS.has(key)) {
      if (typeof v !== "boolean") throw new ConfigError(key, v, "true or false");
    } else if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ConfigError(key, v, "a number");
    }
    settings[key] = v;
  }
  const seeds = value.seeds === undefined ? undefined : validateSeeds(numbers(value.seeds, "seeds", { integer: true }));
  let grids: PartialGrid[] | undefined;
  if (value.grids !== undefined) {
    if (value.a !== undefined || value.g !== undefined) throw new UserError("give either top-level a/g (one grid) or grids, not both");
    if (!Array.isArray(value.grids) || value.grids.length === 0) throw new ConfigError("grids", JSON.stringify(value.grids), "a non-empty list of {name, a, g, seeds}");
    grids = value.grids.map((gv: unknown, i: number) => parseGrid(gv, `grids[${i}].`));
  } else if (value.a !== undefined || value.g !== undefined) {
    grids = [parseGrid({ a: value.a, g: value.g }, "")];
  }
  return { settings: settings as Partial<SweepSettings>, ...(seeds ? { seeds } : {}), ...(grids ? { grids } : {}) };
}

function parseGrid(value: unknown, where: string): PartialGrid {
  if (!isRecord(value)) throw new UserError(`${where.slice(0, -1)} must be an object with keys ${GRID_KEYS.join(", ")}`);
  unknownKeys(value, GRID_KEYS, where);
  if (value.name !== undefined && typeof value.name !== "string") throw new ConfigError(`${where}name`, value.name, "a string");
  return {
    ...(typeof value.name === "string" ? { name: value.name } : {}),
    ...(value.a === undefined ? {} : { a: validateA(numbers(value.a, `${where}a`), where) }),
    ...(value.g === undefined ? {} : { g: validateG(numbers(value.g, `${where}g`, { angle: true }), where) }),
    ...(value.seeds === undefined ? {} : { seeds: validateSeeds(numbers(value.seeds, `${where}seeds`, { integer: true }), where) }),
  };
}

/** A number, a list string ("0:1:0.25", "pi/2"), or an array of those, flattened. */
function numbers(value: unknown, field: string, opts: { angle?: boolean; integer?: boolean } = {}): number[] {
  const items = Array.isArray(value) ? value : [value];
  const out: number[] = [];
  for (const item of items) {
    if (typeof item === "number" && Number.isFinite(item)) out.push(item);
    else if (typeof item === "string") out.push(...parseList(field, item, opts));
    else throw new ConfigError(field, JSON.stringify(item), "numbers, strings such as \"0:1.5:0.1\" or \"pi/2\", or a list of those");
  }
  return out;
}

function unknownKeys(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(value)) {
    if (!allowed.includes(k)) throw new UserError(`unknown key ${where}${k}; allowed: ${allowed.join(", ")}`);
  }
}

/** Completes a plan's grids: a defaults to [0], g to [pi/2], seeds to the plan's seeds or `seeds`. */
export function resolveGrids(grids: readonly PartialGrid[], seeds: readonly number[]): SweepGrid[] {
  return grids.map((g, i) => ({
    name: g.name ?? (grids.length === 1 ? "grid" : `grid ${i + 1}`),
    a: [...(g.a ?? [0])],
    g: [...(g.g ?? [HALF_PI])],
    seeds: [...(g.seeds ?? seeds)],
  }));
}

/** Leaf-by-leaf differences between two JSON values, as "path: old -> new" (arrays are leaves). */
export function configDiff(before: unknown, after: unknown, path = ""): string[] {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => configDiff(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length && before.every(isRecord)) {
    return before.flatMap((b, i) => configDiff(b, after[i], `${path}[${i}]`));
  }
  const s = (v: unknown) => (v === undefined ? "(none)" : JSON.stringify(v));
  return s(before) === s(after) ? [] : [`${path}: ${s(before)} -> ${s(after)}`];
}
