// Shared by the browser test and the speed script: Debian's chromium driven by playwright-core,
// and the page served by the real `nq playground` command.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.NQ_CHROMIUM ?? "/usr/bin/chromium";

/** Flags for a closed network: without the background-networking ones Chromium's own connections are refused. */
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Chromium with a fresh profile; a clear error when it is not installed. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium is missing at ${CHROMIUM}: run \`apt-get update && apt-get install -y chromium\` (or set NQ_CHROMIUM to its path)`);
  }
  const profile = mkdtempSync(join(tmpdir(), "nq-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 1000 } });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const CLI = fileURLToPath(new URL("../../cli/dist/bin.js", import.meta.url));

/** `nq playground --port 0` in a child process, and the URL it prints. */
export async function startPlayground() {
  const child = spawn(process.execPath, [CLI, "playground", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((ok, fail) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d.toString();
      const m = /(http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]);
    });
    child.once("exit", (code) => fail(new Error(`nq playground exited with ${code} before printing its URL: ${out}`)));
  });
  return { url, child };
}
