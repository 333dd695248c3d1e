/**
 * Errors a user can fix. The CLI prints `message` on one line and exits with status 2;
 * anything else is a bug and keeps its stack trace.
 *
 * Core names no command-line flags: an error about a setting carries the setting as structured
 * fields (`field`, `value`, `allowed`), with the field named in the message by its spec name (lr,
 * epochs, trainSize), and a front end turns those names into its own (the CLI: --lr, --epochs,
 * --train-size; the playground: its controls).
 */
export interface ErrorFields {
  /** The setting at fault, by its name in the spec (NetworkSpec, TrainSpec, options objects). */
  readonly field?: string;
  /** The value it had. */
  readonly value?: unknown;
  /** What it may be. */
  readonly allowed?: string;
}

export class UserError extends Error {
  readonly field?: string;
  readonly value?: unknown;
  readonly allowed?: string;

  constructor(message: string, fields: ErrorFields = {}) {
    super(message);
    this.name = new.target.name;
    if (fields.field !== undefined) this.field = fields.field;
    if ("value" in fields) this.value = fields.value;
    if (fields.allowed !== undefined) this.allowed = fields.allowed;
  }
}

/**
 * A configuration value out of its allowed range. Names the field, the value and the range:
 * "invalid lr: -1 (allowed: 0 < lr <= 100)", or `what` followed by the field, value and range.
 */
export class ConfigError extends UserError {
  declare readonly field: string;
  declare readonly allowed: string;

  constructor(field: string, value: unknown, allowed: string, what?: string) {
    super(
      what === undefined
        ? `invalid ${field}: ${formatValue(value)} (allowed: ${allowed})`
        : `${what} (${field} ${formatValue(value)}; allowed: ${allowed})`,
      { field, value, allowed },
    );
  }
}

/** A backend asked to do something it has not declared it can do. */
export class CapabilityError extends UserError {}

/** A data file that cannot be read as what it claims to be. */
export class DataError extends UserError {}

export function formatValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  return String(value);
}
