import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The repository is self-contained: the physics is written in docs/model.md, and no tracked file
 * points to a spec outside the repository. The strings are assembled so this file does not match itself.
 */
const FORBIDDEN = [["MODEL", "md"].join("."), ["..", "shared"].join("/")];
const MODEL_DOC = "docs/model.md";

const root = execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd: dirname(fileURLToPath(import.meta.url)), encoding: "utf8" }).trim();
const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" })
  .split("\0")
  .filter((path) => path !== "" && !path.split("/").some((part) => part === "node_modules" || part === ".git" || part === "dist"));
const read = (path: string): string => readFileSync(join(root, path), "utf8");

/** Every line of every tracked file that contains `needle`, as "path:line: text". */
function linesWith(needle: string): string[] {
  const hits: string[] = [];
  for (const path of tracked) {
    let text: string;
    try {
      text = read(path);
    } catch {
      continue; // tracked but deleted in the work tree
    }
    if (!text.includes(needle)) continue;
    text.split("\n").forEach((line, i) => {
      if (line.includes(needle)) hits.push(`${path}:${i + 1}: ${line.trim()}`);
    });
  }
  return hits;
}

/** Section numbers of docs/model.md: "## 2. Title" gives "2", "### 2.5 Title" gives "2.5". */
function sections(markdown: string): Set<string> {
  const found = new Set<string>();
  for (const match of markdown.matchAll(/^#{2,4} (\d+(?:\.\d+)*)\.? /gm)) found.add(match[1]);
  return found;
}

/** The sections a text cites after "docs/model.md": "docs/model.md §2, §5 and §7.2" gives 2, 5, 7.2. */
function citations(text: string): string[] {
  const list = /(?:,\s*|\s+and\s+|\s*-\s*)?§(\d+(?:\.\d+)*)/y;
  const out: string[] = [];
  for (const match of text.matchAll(/docs\/model\.md\s+(?=§)/g)) {
    list.lastIndex = match.index + match[0].length;
    for (let m = list.exec(text); m; m = list.exec(text)) out.push(m[1]);
  }
  return out;
}

/** Every "§N" in a text (how docs/model.md cites its own sections). */
function allSectionSigns(text: string): string[] {
  return [...text.matchAll(/§(\d+(?:\.\d+)*)/g)].map((m) => m[1]);
}

describe("the repository's documentation", () => {
  for (const needle of FORBIDDEN) {
    it(`no tracked file mentions ${needle} (the physics is in ${MODEL_DOC})`, () => {
      expect(linesWith(needle)).toEqual([]);
    });
  }

  it(`every "${MODEL_DOC} §N" in the repository, and every §N inside it, names a section that exists`, () => {
    const doc = read(MODEL_DOC);
    const known = sections(doc);
    expect(known.has("2.5")).toBe(true); // the heading pattern still matches the document
    const cited: string[] = [];
    const missing: string[] = [];
    const check = (path: string, cites: string[]) => {
      for (const section of cites) {
        cited.push(section);
        if (!known.has(section)) missing.push(`${path}: §${section}`);
      }
    };
    for (const path of tracked) {
      if (path === MODEL_DOC) continue;
      let text: string;
      try {
        text = read(path);
      } catch {
        continue;
      }
      if (text.includes(MODEL_DOC)) check(path, citations(text));
    }
    const fromOutside = cited.length;
    check(MODEL_DOC, allSectionSigns(doc));
    expect(missing).toEqual([]);
    expect(fromOutside).toBeGreaterThan(5); // the code's references were found at all
  });
});
