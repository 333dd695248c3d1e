#!/usr/bin/env node
// Regenerates the option lists of README.md from the built commands (after a build), with the
// options that the backends this CLI knows by name declare for themselves.
import { readFileSync, writeFileSync } from "node:fs";
import { buildProgram } from "../dist/main.js";
import { updateReadme } from "../dist/reference.js";
import { knownDeclaredOptions } from "../dist/plugin-options.js";

const file = new URL("../README.md", import.meta.url);
const before = readFileSync(file, "utf8");
const after = updateReadme(before, buildProgram([], await knownDeclaredOptions()));
writeFileSync(file, after);
console.log(after === before ? "README.md: the option lists were up to date" : "README.md: option lists regenerated");
