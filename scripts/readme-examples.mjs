// The TypeScript examples (```ts blocks) of the top README and of every package's README.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Each example with a file-safe name (readme and index) and its code. */
export function readmeExamples(root) {
  const readmes = ["README.md", ...readdirSync(join(root, "packages")).map((p) => join("packages", p, "README.md"))].filter((p) => existsSync(join(root, p)));
  return readmes.flatMap((readme) =>
    [...readFileSync(join(root, readme), "utf8").matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m, i) => ({
      name: `${readme.replace(/\/README\.md$|\.md$/, "").replace(/[^A-Za-z0-9]+/g, "-")}-${i + 1}`,
      readme,
      code: m[1],
    })),
  );
}
