import type { UserError } from "@natural-quantization/core";

/**
 * Core names the setting at fault by its spec name (lr, epochs, trainSize) in `field`; the CLI
 * names the flag that sets it. Settings that are flags of nq, in kebab case.
 */
const FLAGS = new Set(["a", "g", "activation", "width", "depth", "bias", "epochs", "batch", "lr", "momentum", "shots", "seed", "train-size", "test-size", "threads", "neuron", "backend", "provider", "device", "target", "force"]);

/** The flag of a setting (`trainSize` or `train-size` -> `--train-size`), or null when no flag sets it. */
export function flagOf(field: string): string | null {
  const kebab = field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return FLAGS.has(kebab) ? `--${kebab}` : null;
}

/**
 * The error's message with its setting written as the flag that sets it where the message tells
 * the user what to change ("lower lr" -> "lower --lr"). The "invalid FIELD: value (allowed: ...)"
 * of a ConfigError stays as it is (it names the setting, whichever front end set it), and so do
 * one-letter names (the article "a").
 */
export function cliMessage(e: UserError): string {
  const field = e.field;
  const flag = field === undefined ? null : flagOf(field);
  if (!field || !flag || field.length < 2 || e.message.startsWith(`invalid ${field}:`)) return e.message;
  const name = field.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return e.message.replace(new RegExp(`(^|[^\\w.-])${name}(?![\\w-])`, "g"), `$1${flag}`);
}
