// The option lists of packages/cli/README.md, generated from the commands themselves so that the
// README cannot drift from `nq <command> --help` (test/cli-readme.test.ts checks them).
import type { Command, Option } from "commander";

/** Every command under `program`, depth first, with its full name ("sweep status"). */
export function allCommands(program: Command, prefix = ""): Array<{ name: string; command: Command }> {
  return program.commands.flatMap((c) => {
    const name = `${prefix}${c.name()}`;
    return [{ name, command: c }, ...allCommands(c, `${name} `)];
  });
}

function describeOption(o: Option): string {
  const parts = [o.description];
  if (o.argChoices) parts.push(`one of ${o.argChoices.map((c) => `\`${c}\``).join(", ")}`);
  if (o.mandatory) parts.push("required");
  const empty = Array.isArray(o.defaultValue) && o.defaultValue.length === 0;
  if (o.defaultValue !== undefined && !o.negate && !empty) parts.push(`default \`${String(o.defaultValue)}\``);
  return `- \`${o.flags}\`: ${parts.join("; ")}`;
}

const begin = (name: string) =>
  `<!-- options of nq ${name}: generated from the command by \`npx --yes pnpm@10.34.9 --filter @natural-quantization/cli run readme\`; change the descriptions in src/ -->`;
const END = "<!-- end of options -->";

/** The generated block of one command: its usage line and every option. */
export function optionsBlock(name: string, command: Command): string {
  const args = command.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`)).join(" ");
  const lines = [begin(name), "", `Usage: \`nq ${name}${args ? ` ${args}` : ""} [options]\``, "", ...command.options.map(describeOption), END];
  return lines.join("\n");
}

const BLOCK = /<!-- options of nq ([a-z -]+?): generated[^\n]*-->\n[\s\S]*?<!-- end of options -->/g;

/** The README with every command's block regenerated; throws when a command has no block or a block no command. */
export function updateReadme(readme: string, program: Command): string {
  const commands = new Map(allCommands(program).map((c) => [c.name, c.command]));
  const seen = new Set<string>();
  const updated = readme.replace(BLOCK, (_block, name: string) => {
    const command = commands.get(name);
    if (!command) throw new Error(`packages/cli/README.md has options of nq ${name}, which is not a command; remove that block`);
    seen.add(name);
    return optionsBlock(name, command);
  });
  const missing = [...commands.keys()].filter((n) => !seen.has(n));
  if (missing.length > 0) {
    throw new Error(`packages/cli/README.md has no options block for ${missing.map((n) => `nq ${n}`).join(", ")}; add a section with the line ${begin(missing[0])} followed by ${END}, then run the readme script`);
  }
  return updated;
}
