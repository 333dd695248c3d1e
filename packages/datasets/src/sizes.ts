import { ConfigError } from "@natural-quantization/core";

/** Throws a ConfigError unless `value` is an integer in [min, max]; returns it otherwise. */
export function checkInt(field: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const upper = max === Number.MAX_SAFE_INTEGER ? "" : ` to ${max}`;
    throw new ConfigError(field, value, `an integer from ${min}${upper}`);
  }
  return value;
}
