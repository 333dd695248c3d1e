/**
 * Errors a user can fix. The CLI prints `message` on one line and exits with status 2;
 * anything else is a bug and keeps its stack trace.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A configuration value out of its allowed range. Names the field, the value and the range. */
export class ConfigError extends UserError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`invalid ${field}: ${formatValue(value)} (allowed: ${allowed})`);
  }
}

/** A backend asked to do something it has not declared it can do. */
export class CapabilityError extends UserError {}

/** A data file that cannot be read as what it claims to be. */
export class DataError extends UserError {}

function formatValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  return String(value);
}
