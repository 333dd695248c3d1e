#!/usr/bin/env node
// Speed of the page against the CLI on this machine: one training epoch of `nq bench`'s network
// (784-512-512-512-10, Model 1 a = 0.5, 5,000 images, batch 64; warm-up, then the median of 3)
// in the page (chromium, served by `nq playground`, all threads) and in `nq bench` (sim-wasm).
// A measurement, not a test: it prints the numbers and the ratio (target: at most 1.3).
import { execFileSync } from "node:child_process";
import { CLI, launchChromium, startPlayground } from "./chromium.mjs";

const cli = JSON.parse(execFileSync(process.execPath, [CLI, "bench", "--backend", "sim-wasm", "--compare", "none", "--repetitions", "3", "--warmup", "1"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").at(-1));

const { url, child } = await startPlayground();
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  await page.goto(url);
  await page.waitForSelector('body[data-data="ready"]', { timeout: 120_000 });
  const threads = Number(await page.getAttribute("#threads", "data-threads"));
  await page.evaluate(() => window.nqBench(5000));
  await page.waitForSelector("#progress-text[data-bench-seconds]", { timeout: 1_800_000 });
  const pageSeconds = Number(await page.getAttribute("#progress-text", "data-bench-seconds"));
  const result = { cliEpochSeconds: cli.epochSeconds, cliThreads: cli.threads, pageEpochSeconds: pageSeconds, pageThreads: threads, ratio: pageSeconds / cli.epochSeconds };
  console.log(JSON.stringify(result));
  console.log(`page ${pageSeconds.toFixed(3)} s (${threads} threads) vs nq bench ${cli.epochSeconds.toFixed(3)} s (${cli.threads} threads): ${result.ratio.toFixed(2)}x`);
} finally {
  await browser.close();
  child.kill();
}
