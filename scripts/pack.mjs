#!/usr/bin/env node
// `node scripts/pack.mjs [dir]` (the root `tarballs` script builds first): every package as it would
// be published, as tarballs in dir (default ./tarballs), with the workspace's ranges made versions.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { PNPM, ROOT } from "./pnpm.mjs";

/** Packs every workspace package into `dir`; returns the tarballs' paths. */
export function packAll(dir) {
  const out = resolve(dir);
  mkdirSync(out, { recursive: true });
  execFileSync(PNPM[0], [...PNPM[1], "-r", "pack", "--pack-destination", out], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  return readdirSync(out).filter((f) => f.endsWith(".tgz")).map((f) => resolve(out, f));
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  for (const t of packAll(process.argv[2] ?? "tarballs")) console.log(t);
}
