// The playground in a real browser (Debian's chromium, driven by playwright-core), served by the
// real `nq playground`: it must train to the same numbers as `nq train`, bit for bit.
import { execFileSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMnistSubset, writeIdx } from "@natural-quantization/datasets";
import { CLI, launchChromium, startPlayground, type Browser } from "../scripts/chromium.mjs";

interface EpochRecord {
  epoch: number;
  loss: number;
  trainError: number;
  testError1: number;
}
interface CliRun {
  result: { testError1: number; testErrorK: number };
  history: EpochRecord[];
  weightsText: string;
  weightsHash: string;
}

const SETTINGS = { a: "0.5", g: "1", width: "64", depth: "3", epochs: "2", trainSize: "1000", testSize: "5000", shots: "7", seed: "3" };
// Screenshots go to an ignored directory; `pnpm run screenshot` copies the first to docs/playground.png.
const output = fileURLToPath(new URL("../test-output/", import.meta.url));
const screenshot = join(output, "playground.png");

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** `nq train` with the page's settings; a and g of the run (classical: 0 and pi/2). */
function cliTrain(dir: string, a: string, g: string, extra: string[] = [], label = `a${a}-g${g}`): CliRun {
  const out = join(dir, label);
  execFileSync(process.execPath, [
    CLI, "train", "--a", a, "--g", g, "--width", SETTINGS.width, "--depth", SETTINGS.depth, "--epochs", SETTINGS.epochs,
    "--train-size", SETTINGS.trainSize, "--test-size", SETTINGS.testSize, "--shots", SETTINGS.shots, "--seed", SETTINGS.seed, "--out", out, "--json", ...extra,
  ], { stdio: ["ignore", "pipe", "ignore"] });
  const weightsText = readFileSync(join(out, "weights.json"), "utf8");
  return {
    result: JSON.parse(readFileSync(join(out, "result.json"), "utf8")),
    history: JSON.parse(readFileSync(join(out, "metrics.json"), "utf8")),
    weightsText,
    weightsHash: sha256(JSON.stringify(JSON.parse(weightsText).weights)),
  };
}

async function value(page: Page, selector: string): Promise<string> {
  const v = await page.getAttribute(selector, "data-value");
  if (v === null) throw new Error(`${selector} has no data-value on the page`);
  return v;
}

async function pageEpochs(page: Page, run: string): Promise<EpochRecord[]> {
  const rows: EpochRecord[] = [];
  for (let e = 1; e <= Number(SETTINGS.epochs); e++) {
    const row = `#epoch-table tr[data-run="${run}"][data-epoch="${e}"]`;
    rows.push({
      epoch: e,
      loss: Number(await value(page, `${row} [data-field="loss"]`)),
      trainError: Number(await value(page, `${row} [data-field="trainError"]`)),
      testError1: Number(await value(page, `${row} [data-field="testError1"]`)),
    });
  }
  return rows;
}

/** Whether the first element matching `selector` lies within the box of `container` on the page. */
async function inside(page: Page, selector: string, container: string): Promise<boolean> {
  return page.evaluate(([s, c]) => {
    const a = document.querySelector(s)!.getBoundingClientRect();
    const b = document.querySelector(c)!.getBoundingClientRect();
    return a.width > 0 && a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
  }, [selector, container] as const);
}

describe("the playground in chromium", () => {
  let browser: Browser;
  let server: { url: string; child: ChildProcess };
  let page: Page;
  let work: string;
  const consoleErrors: string[] = [];
  let chosen: CliRun, classical: CliRun;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "nq-playground-test-"));
    browser = await launchChromium(); // fails with "run apt-get install chromium" when it is missing
    server = await startPlayground();
    chosen = cliTrain(work, SETTINGS.a, SETTINGS.g);
    classical = cliTrain(work, "0", "pi/2");
    page = await browser.context.newPage();
    page.on("console", (m) => void (m.type() === "error" && consoleErrors.push(m.text())));
    page.on("pageerror", (e) => consoleErrors.push(e.message));
    await page.goto(server.url);
    await page.waitForSelector('body[data-data="ready"]', { timeout: 120_000 });
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("is cross-origin isolated and says it uses several threads", async () => {
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    expect(Number(await page.getAttribute("#threads", "data-threads"))).toBeGreaterThan(1);
    expect(await page.textContent("#threads")).toMatch(/threads \(cross-origin isolated/);
  });

  it("trains 2 epochs at width 64 on 1,000 images, side by side, to exactly nq train's numbers and weights", async () => {
    for (const [id, v] of Object.entries(SETTINGS)) await page.fill(`#${id}`, v);
    await page.check("#compare");
    await page.click("#train");
    for (const run of ["chosen", "classical"]) await page.waitForSelector(`#results tr[data-run="${run}"][data-done="true"]`, { timeout: 600_000 });
    for (const [run, cli] of [["chosen", chosen], ["classical", classical]] as const) {
      const mine = await pageEpochs(page, run);
      // Errors exactly; the loss (a float64 sum of Math.log/Math.exp in JavaScript, not in the
      // kernels) to a relative 1e-14: Chromium's and Node's V8 may differ in the last bit there.
      expect(mine.map(({ epoch, trainError, testError1 }) => ({ epoch, trainError, testError1 }))).toEqual(
        cli.history.map(({ epoch, trainError, testError1 }) => ({ epoch, trainError, testError1 })),
      );
      mine.forEach((m, i) => expect(Math.abs(m.loss - cli.history[i].loss)).toBeLessThanOrEqual(1e-14 * cli.history[i].loss));
      const row = `#results tr[data-run="${run}"]`;
      expect(Number(await value(page, `${row} [data-field="oneShot"]`))).toBe(cli.result.testError1);
      expect(Number(await value(page, `${row} [data-field="kShot"]`))).toBe(cli.result.testErrorK);
      expect(await value(page, `${row} [data-field="hash"]`)).toBe(cli.weightsHash);
    }
  });

  it("downloads the weights in the CLI's format (the same weights as nq train's weights.json)", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const text = readFileSync((await download.path())!, "utf8");
    const file = JSON.parse(text);
    const cli = JSON.parse(chosen.weightsText);
    expect(file.format).toBe(cli.format);
    expect(file.weights).toEqual(cli.weights);
    expect(file.network).toEqual(cli.network);
    expect(file.dataset).toEqual(cli.dataset);
  });

  it("evaluates weights written by nq train to nq train's errors", async () => {
    const path = join(work, "upload-weights.json");
    execFileSync("cp", [join(work, `a${SETTINGS.a}-g${SETTINGS.g}`, "weights.json"), path]);
    await page.setInputFiles("#upload", path);
    await page.waitForSelector('#results tr[data-run="loaded"][data-done="true"]', { timeout: 120_000 });
    expect(Number(await value(page, '#results tr[data-run="loaded"] [data-field="oneShot"]'))).toBe(chosen.result.testError1);
    expect(Number(await value(page, '#results tr[data-run="loaded"] [data-field="kShot"]'))).toBe(chosen.result.testErrorK);
  });

  it("pauses and stops a run", async () => {
    await page.fill("#epochs", "20");
    await page.fill("#trainSize", "3000");
    await page.click("#train");
    await page.waitForFunction(() => /batch/.test(document.querySelector("#progress-text")?.textContent ?? ""));
    await page.click("#pause");
    await page.waitForSelector("#pause:text('Resume')");
    await new Promise((r) => setTimeout(r, 300)); // a batch in flight may still report
    const held = await page.textContent("#progress-text");
    await new Promise((r) => setTimeout(r, 1500));
    expect(await page.textContent("#progress-text")).toBe(held);
    await page.click("#pause");
    await page.waitForFunction((t) => document.querySelector("#progress-text")?.textContent !== t, held);
    await page.click("#stop");
    await page.waitForSelector('body[data-state="stopped"]', { timeout: 60_000 });
    expect(await page.locator('#epoch-table tr[data-run="chosen"]').count()).toBeLessThan(20);
    for (const [id, v] of Object.entries(SETTINGS)) await page.fill(`#${id}`, v);
  });

  it("trains on dropped IDX files (one gzip-compressed) to nq train --dataset idx:<dir>'s numbers", async () => {
    // Four MNIST-format files made from the bundled digits' test set (pixels scaled back to bytes).
    const dir = join(work, "idx");
    mkdirSync(dir);
    const d = loadMnistSubset({ trainSize: 1200, testSize: 600 });
    const bytes = (x: Float32Array) => Uint8Array.from(x, (v) => Math.round(v * 255));
    const files: Array<[string, Uint8Array]> = [
      ["train-images-idx3-ubyte.gz", writeIdx([d.train.n, 28, 28], bytes(d.train.x), { gzip: true })],
      ["train-labels-idx1-ubyte", writeIdx([d.train.n], Uint8Array.from(d.train.y))],
      ["t10k-images-idx3-ubyte", writeIdx([d.test.n, 28, 28], bytes(d.test.x))],
      ["t10k-labels-idx1-ubyte", writeIdx([d.test.n], Uint8Array.from(d.test.y))],
    ];
    for (const [name, b] of files) writeFileSync(join(dir, name), b);
    const cli = cliTrain(work, "0", "pi/2", ["--dataset", `idx:${dir}`, "--test-size", "600"], "idx");
    await page.evaluate((list) => {
      const dt = new DataTransfer();
      for (const [name, b] of list) dt.items.add(new File([new Uint8Array(b)], name));
      document.querySelector("#drop")!.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, files.map(([n, b]) => [n, Array.from(b)] as [string, number[]]));
    await page.waitForFunction(() => /idx \(dropped files\)/.test(document.querySelector("#data-status")?.textContent ?? ""));
    await page.fill("#a", "0");
    await page.fill("#g", "pi/2");
    await page.fill("#testSize", "600");
    await page.uncheck("#compare");
    await page.click("#train");
    await page.waitForSelector('#results tr[data-run="chosen"][data-done="true"]', { timeout: 600_000 });
    expect(Number(await value(page, '#results tr[data-run="chosen"] [data-field="oneShot"]'))).toBe(cli.result.testError1);
    expect(Number(await value(page, '#results tr[data-run="chosen"] [data-field="kShot"]'))).toBe(cli.result.testErrorK);
    expect(await value(page, '#results tr[data-run="chosen"] [data-field="hash"]')).toBe(cli.weightsHash);
    // Back to the bundled digits and the first run's settings, for the view below.
    await page.click("#bundled");
    await page.waitForFunction(() => /bundled/.test(document.querySelector("#data-status")?.textContent ?? ""));
    for (const [id, v] of Object.entries(SETTINGS)) await page.fill(`#${id}`, v);
    await page.check("#compare");
    await page.click("#train");
    await page.waitForSelector('#results tr[data-run="classical"][data-done="true"]', { timeout: 600_000 });
    expect(await value(page, '#results tr[data-run="chosen"] [data-field="hash"]')).toBe(chosen.weightsHash);
  });

  it("looks inside: a hidden layer's qubits across the k shots and their votes; no console errors; screenshot", async () => {
    await page.selectOption("#inspect-run", "chosen");
    await page.fill("#inspect-image", "3");
    await page.fill("#inspect-layer", "0");
    await page.click("#inspect");
    await page.waitForSelector('#inspection[data-ready="true"]', { timeout: 60_000 });
    // One row of qubit cells per shot in each map, 64 qubits wide.
    expect(await page.locator("#map-outcome .cells rect").count()).toBe(Number(SETTINGS.shots) * 64);
    const votes = await page.locator("#votes rect").count();
    expect(votes).toBe(10);
    // Every heat map has its colour scale, with labels, inside its own drawing.
    for (const [map, labels] of [["#map-angle", ["0 (|0⟩)", "π/2", "π (|1⟩)"]], ["#map-outcome", ["+1", "−1"]], ["#map-carried", ["0 (|0⟩)", "π/2", "π (|1⟩)"]]] as const) {
      expect(await page.locator(`${map} [data-role="colour-scale"] text`).allTextContents(), map).toEqual(labels);
      expect(await inside(page, `${map} [data-role="colour-scale"]`, map), map).toBe(true);
    }
    mkdirSync(output, { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it("lays out: g reads pi/2, the line charts share their panel's width, legends and labels are never cut off", async () => {
    await page.click('[data-preset="classical"]');
    expect(await page.inputValue("#g")).toBe("pi/2");
    await page.click('[data-preset="model2"]');
    expect(await page.inputValue("#g")).toBe("1");
    // A long legend label: a = 0.75, g = 1.25, htanh; a short run.
    for (const [id, v] of Object.entries({ a: "0.75", g: "1.25", width: "16", epochs: "2", trainSize: "300", testSize: "200", shots: "3" })) await page.fill(`#${id}`, v);
    await page.selectOption("#activation", "htanh");
    await page.check("#compare");
    await page.click("#train");
    await page.waitForSelector('#results tr[data-run="classical"][data-done="true"]', { timeout: 600_000 });
    for (const width of [1400, 1920]) {
      await page.setViewportSize({ width, height: 1000 });
      const charts = await page.evaluate(() => {
        const panel = document.querySelector("#loss-chart")!.closest(".panel")!;
        const style = getComputedStyle(panel);
        const content = panel.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const widths = ["#loss-chart", "#error-chart"].map((id) => document.querySelector(id)!.getBoundingClientRect().width);
        return { content, widths };
      });
      // Two charts side by side with a 10 px gap fill the panel's content box.
      expect(charts.widths[0] + charts.widths[1] + 10, `viewport ${width}: ${JSON.stringify(charts)}`).toBeGreaterThan(0.97 * charts.content);
      for (const chart of ["#loss-chart", "#error-chart"]) {
        const labels = await page.locator(`${chart} .legend-entry text`).allTextContents();
        expect(labels).toEqual(["chosen (a = 0.75, g = 1.25, htanh)", "classical (a = 0, g = π/2)"]);
        for (let i = 0; i < labels.length; i++) expect(await inside(page, `${chart} .legend-entry:nth-of-type(${i + 1}) text`, chart), `${chart}: ${labels[i]}`).toBe(true);
      }
    }
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.screenshot({ path: join(output, "playground-layout.png"), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
