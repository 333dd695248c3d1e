import { existsSync, statSync } from "node:fs";
import type { Command, Option } from "commander";
import { UserError } from "@natural-quantization/core";
import { PRESETS } from "@natural-quantization/sweep";

/** The option an unexpected argument most likely belongs to, among the options `cmd` has. */
export function likelyOption(cmd: Command, arg: string): string | null {
  const has = (long: string) => cmd.options.some((o) => o.long === long);
  const lower = arg.toLowerCase();
  const isDir = existsSync(arg) && statSync(arg).isDirectory();
  const candidates: Array<[boolean, string]> = [
    [/\.json$/.test(lower), "--weights"],
    [/\.(ya?ml|json)$/.test(lower), "--file"],
    [/(idx3-ubyte|images)/.test(lower), "--images"],
    [/\.(csv|npz|safetensors)$/.test(lower), "--out"],
    [/^(safetensors|npz)$/.test(lower), "--format"],
    [/^(mnist|mnist-subset|synthetic|fashion-mnist)$|^idx:/.test(lower), "--dataset"],
    [/^(sim-|\.\/|\.\.\/)/.test(lower), "--backend"],
    [isDir, "--out"],
    [Object.hasOwn(PRESETS, lower), "--preset"],
  ];
  for (const [match, long] of candidates) if (match && has(long)) return long;
  return null;
}

// Options a command needs. Commander's own mandatory check runs before any hook, so it would
// answer `nq sweep grid.yaml` with "required option --out" instead of pointing at --file.
const REQUIRED = new WeakSet<Option>();

/** Marks an option as required; the check runs after the one for unexpected arguments. */
export function markRequired(option: Option): Option {
  REQUIRED.add(option);
  option.description = `${option.description} (required)`;
  return option;
}

/**
 * Refuses arguments a command does not take, naming the option the user probably meant
 * (`nq sweep grid.yaml` -> `--file grid.yaml`). Commander's own check only says "too many
 * arguments"; this runs before each action instead.
 */
export function refuseUnexpectedArguments(program: Command): void {
  program.hook("preAction", (_root, action) => {
    const name = `nq ${action.name()}`;
    const extra = action.args.slice(action.registeredArguments.length);
    if (extra.length > 0) {
      const arg = extra[0];
      const option = likelyOption(action, arg);
      const takes = action.registeredArguments.length;
      const what = takes === 0 ? "options only" : `${takes} argument${takes === 1 ? "" : "s"} and options`;
      const hint = option ? `did you mean ${option} ${arg}?` : `${name} takes ${what} (see ${name} --help)`;
      throw new UserError(`unexpected argument ${JSON.stringify(arg)} for ${name}; ${hint}`);
    }
    for (const opt of action.options) {
      if (REQUIRED.has(opt) && action.getOptionValue(opt.attributeName()) === undefined) {
        throw new UserError(`${name} needs ${opt.flags} (see ${name} --help)`);
      }
    }
  });
}
