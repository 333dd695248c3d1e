// Value parsers for options and configuration files: one-line ConfigErrors that name the field.
import { ConfigError } from "./errors.js";

/** A number option; accepts plain decimals and, for angles, multiples of pi ("pi/2", "0.25pi"). */
export function parseNumber(field: string, text: string, opts: { angle?: boolean } = {}): number {
  const t = text.trim().toLowerCase();
  if (opts.angle) {
    const m = /^([0-9.]*)\s*\*?\s*pi(?:\s*\/\s*([0-9.]+))?$/.exec(t);
    if (m) {
      const k = m[1] === "" ? 1 : Number(m[1]);
      const d = m[2] === undefined ? 1 : Number(m[2]);
      if (Number.isFinite(k) && Number.isFinite(d) && d !== 0) return (k * Math.PI) / d;
    }
  }
  const v = t === "" ? Number.NaN : Number(t);
  if (!Number.isFinite(v)) throw new ConfigError(field, text, opts.angle ? "a number or a multiple of pi such as pi/2" : "a finite number");
  return v;
}

export function parseInteger(field: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = text.trim() === "" ? Number.NaN : Number(text);
  if (!Number.isInteger(v) || v < min || v > max) throw new ConfigError(field, text, `an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? "" : ` to ${max}`}`);
  return v;
}

/** A comma-separated list of integers ("1,2,4"), each in [min, max]. */
export function parseIntegerList(field: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number[] {
  const parts = text.split(",").map((x) => x.trim());
  const values = parts.map((x) => (x === "" ? Number.NaN : Number(x)));
  if (values.some((v) => !Number.isInteger(v) || v < min || v > max)) {
    throw new ConfigError(field, text, `integers from ${min}${max === Number.MAX_SAFE_INTEGER ? "" : ` to ${max}`}, comma-separated`);
  }
  return values;
}
