import { ConfigError, HALF_PI, UserError, parseNumber, validateNeuron } from "@natural-quantization/core";

/** One family of cells: every a crossed with every g and every seed. */
export interface SweepGrid {
  /** A label for the report, e.g. "Model 1". */
  readonly name: string;
  readonly a: readonly number[];
  readonly g: readonly number[];
  readonly seeds: readonly number[];
}

/** One training run of a sweep. */
export interface Cell {
  /** Directory name under cells/, e.g. "a=0.5_g=1.570796_seed=0". */
  readonly key: string;
  readonly a: number;
  readonly g: number;
  readonly seed: number;
}

/** Significant digits kept of a range value: removes float drift such as 0.30000000000000004. */
const RANGE_DIGITS = 12;

/**
 * Parses a comma list of numbers and ranges: "0,0.5,1", "0:1.5:0.1" (start:stop:step, stop
 * included), "0:4" (step 1). With `angle`, items may be multiples of pi ("pi/2", "0.25pi").
 */
export function parseList(field: string, text: string, opts: { angle?: boolean; integer?: boolean } = {}): number[] {
  const items = text.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) {
    throw new ConfigError(field, text, "a comma list of numbers or ranges start:stop[:step], e.g. 0,0.5,1 or 0:1.5:0.1");
  }
  const values: number[] = [];
  for (const item of items) {
    const parts = item.split(":").map((s) => s.trim());
    if (parts.length === 1) values.push(parseNumber(field, item, opts));
    else if (parts.length === 2 || parts.length === 3) values.push(...expandRange(field, item, parts, opts));
    else throw new ConfigError(field, item, "a range start:stop or start:stop:step");
  }
  return checkValues(field, values, opts.integer === true);
}

function expandRange(field: string, item: string, parts: string[], opts: { angle?: boolean }): number[] {
  const [start, stop] = [parseNumber(field, parts[0], opts), parseNumber(field, parts[1], opts)];
  const step = parts.length === 3 ? parseNumber(field, parts[2], opts) : 1;
  if (step === 0 || Math.sign(stop - start) * Math.sign(step) < 0) {
    throw new ConfigError(field, item, "a range start:stop:step whose step is nonzero and points from start to stop");
  }
  // Count the points with a tolerance so 0:1.5:0.1 includes 1.5 despite binary rounding.
  const n = Math.floor((stop - start) / step + 1e-9) + 1;
  if (n > 100_000) throw new ConfigError(field, item, "a range of at most 100000 values");
  return Array.from({ length: n }, (_, i) => Number((start + i * step).toPrecision(RANGE_DIGITS)));
}

function checkValues(field: string, values: number[], integer: boolean): number[] {
  const seen = new Set<number>();
  for (const v of values) {
    if (integer && !Number.isInteger(v)) throw new ConfigError(field, v, "integers");
    if (seen.has(v)) throw new ConfigError(field, v, "each value once (this one is repeated)");
    seen.add(v);
  }
  return values;
}

/** a values: >= 0. `where` prefixes the field in messages, e.g. "grids[1].". */
export function parseAList(text: string, where = ""): number[] {
  return validateA(parseList(`${where}a`, text), where);
}

/** g values: 0 <= g <= pi/2; values within 1e-4 of pi/2 snap to pi/2 (so 1.5708 is pi/2). */
export function parseGList(text: string, where = ""): number[] {
  return validateG(parseList(`${where}g`, text, { angle: true }), where);
}

/** Seeds: unsigned 32-bit integers. */
export function parseSeedList(text: string, where = ""): number[] {
  return validateSeeds(parseList(`${where}seeds`, text, { integer: true }), where);
}

export function validateA(values: readonly number[], where = ""): number[] {
  if (values.length === 0) throw new ConfigError(`${where}a`, "[]", "at least one value");
  const out = values.map((a) => validateNeuron({ a, g: HALF_PI, activation: "tanh" }, where).a);
  return checkValues(`${where}a`, out, false);
}

export function validateG(values: readonly number[], where = ""): number[] {
  if (values.length === 0) throw new ConfigError(`${where}g`, "[]", "at least one value");
  const out = values.map((g) => validateNeuron({ a: 0, g, activation: "tanh" }, where).g);
  return checkValues(`${where}g`, out, false);
}

export function validateSeeds(values: readonly number[], where = ""): number[] {
  const field = `${where}seeds`;
  if (values.length === 0) throw new ConfigError(field, "[]", "at least one seed");
  for (const s of values) {
    if (!Number.isInteger(s) || s < 0 || s > 0xffffffff) throw new ConfigError(field, s, "integers from 0 to 4294967295");
  }
  return checkValues(field, [...values], true);
}

/** A number as it appears in a cell key: at most 6 decimals, no trailing zeros. */
export function keyNumber(v: number): string {
  return String(Number(v.toFixed(6)));
}

export function cellKey(a: number, g: number, seed: number): string {
  return `a=${keyNumber(a)}_g=${keyNumber(g)}_seed=${seed}`;
}

/**
 * The cells of a list of grids: the union, each (a, g, seed) once (the classical point
 * a = 0, g = pi/2 belongs to both families of the paper's sweep). Ordered seed-major, so an
 * unfinished sweep has whole curves for its first seeds rather than all seeds of a few points.
 */
export function expandCells(grids: readonly SweepGrid[]): Cell[] {
  const seeds: number[] = [];
  for (const grid of grids) for (const s of grid.seeds) if (!seeds.includes(s)) seeds.push(s);
  const cells: Cell[] = [];
  const byKey = new Map<string, Cell>();
  for (const seed of seeds) {
    for (const grid of grids) {
      if (!grid.seeds.includes(seed)) continue;
      for (const a of grid.a) {
        for (const g of grid.g) {
          const key = cellKey(a, g, seed);
          const prev = byKey.get(key);
          if (prev) {
            if (prev.a !== a || prev.g !== g) {
              throw new UserError(`values a=${prev.a}, g=${prev.g} and a=${a}, g=${g} are equal to 6 decimals; use values that differ by at least 1e-6`);
            }
            continue;
          }
          const cell = { key, a, g, seed };
          byKey.set(key, cell);
          cells.push(cell);
        }
      }
    }
  }
  return cells;
}

/** pi/2 prints as "pi/2", other angles with up to 4 decimals. */
export function formatG(g: number): string {
  return g === HALF_PI ? "pi/2" : String(Number(g.toFixed(4)));
}
