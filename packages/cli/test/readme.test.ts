// The READMEs are run, not just read: every command the top README shows (after its two set-up
// commands) runs as written, in order, from a fresh directory that sees the repository's packages
// and node_modules, with options appended that shrink the sizes (commander keeps the last value
// of an option); and every TypeScript example of every README runs against the built packages.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IbmTestServer, loadFixtureBackend } from "../../hardware/test/providers/ibm-test-server.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const cliDir = fileURLToPath(new URL("../", import.meta.url));

/** Fenced blocks of a markdown file with their info string. */
function blocks(markdown: string): Array<{ info: string; code: string }> {
  const out: Array<{ info: string; code: string }> = [];
  const re = /^```([^\n]*)\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) out.push({ info: m[1].trim(), code: m[2] });
  return out;
}

/** Options appended to `npx nq <command>` so that each runs in seconds (the last value wins). */
const SMALL: Readonly<Record<string, readonly string[]>> = {
  train: ["--train-size", "300", "--test-size", "100", "--width", "16", "--epochs", "1"],
  sweep: ["--train-size", "200", "--test-size", "100", "--width", "16", "--epochs", "1", "--shots", "3"],
  reproduce: ["--train-size", "200", "--test-size", "100", "--width", "16", "--epochs", "1", "--shots", "3"],
  eval: ["--test-size", "20"],
  "noise-study": ["--test-size", "50", "--shots", "3"],
  "followup-study": ["--train-size", "200", "--test-size", "100", "--epochs", "1", "--shots", "3", "--seeds", "0", "--vote-images", "20"],
  predict: [],
  circuits: [],
  cost: [],
  export: [],
  backends: [],
  bench: ["--repetitions", "1", "--warmup", "0"],
  playground: [],
};

function smaller(line: string): string {
  const m = /^npx nq (\S+)(?: (\S+))?/.exec(line);
  if (!m) return line;
  if (m[1] === "sweep" && m[2] === "status") return line;
  const extra = SMALL[m[1]];
  if (!extra) throw new Error(`README runs nq ${m[1]}: say in SMALL how to shrink it`);
  return [line, ...extra].join(" ");
}

/**
 * Runs one README line with bash. A server (`nq playground`) runs until it prints its URL, which is
 * then fetched and must answer; the server is then stopped (status 0 for the test).
 */
function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const server = /^npx nq playground\b/.test(command);
  return new Promise((resolve) => {
    // A server runs in a process group of its own, so that stopping it stops npx's child too.
    const p = spawn("bash", ["-c", command], { cwd, env, detached: server });
    const stop = () => {
      try {
        process.kill(-p.pid!, "SIGTERM");
      } catch {
        // already gone
      }
    };
    let out = "";
    let served = false;
    const onData = (d: Buffer) => {
      out += d;
      const url = server && !served ? /http:\/\/127\.0\.0\.1:\d+\//.exec(out)?.[0] : undefined;
      if (!url) return;
      served = true;
      fetch(url).then(
        (r) => {
          out += `\nGET ${url}: ${r.status}`;
          if (!r.ok) served = false;
          stop();
        },
        () => {
          served = false;
          stop();
        },
      );
    };
    p.stdout.on("data", onData);
    p.stderr.on("data", onData);
    p.on("close", (code) => resolve({ code: server ? (served ? 0 : code ?? 1) : code, out }));
  });
}

/** PYTHONPATH under which python3 imports numpy (Debian's python3-numpy, which test:all installs as root), or null. */
function numpyPath(): string | null {
  for (const path of [process.env.PYTHONPATH ?? "", "/usr/lib/python3/dist-packages"]) {
    if (spawnSync("python3", ["-c", "import numpy"], { env: { ...process.env, PYTHONPATH: path } }).status === 0) return path;
  }
  return null;
}

describe("the top README's commands run as written", () => {
  let server: IbmTestServer;
  let cwd: string;
  beforeAll(async () => {
    // An IBM Quantum stand-in that follows the published API, with the README's device name.
    const torino = loadFixtureBackend("test_heron6");
    server = await IbmTestServer.start({
      apiKey: "readme-test-key",
      serviceCrn: "crn:v1:bluemix:public:quantum-computing:us-east:a/readme:test::",
      backends: [{ ...torino, configuration: { ...torino.configuration, backend_name: "ibm_torino" } }],
    });
    cwd = mkdtempSync(join(tmpdir(), "nq-readme-"));
    for (const entry of ["packages", "node_modules"]) symlinkSync(join(repo, entry), join(cwd, entry));
  });
  afterAll(async () => {
    await server.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it("every shell command after the set-up ones, in order", async () => {
    const readme = readFileSync(join(repo, "README.md"), "utf8");
    const all = blocks(readme);
    const [setup, ...rest] = all.filter((b) => b.info === "sh");
    expect(setup.code.trim().split("\n")).toHaveLength(2);
    const python = all.filter((b) => b.info === "python");
    writeFileSync(join(cwd, "predict.py"), python[0].code);
    const pythonPath = numpyPath();
    if (pythonPath === null) throw new Error("python3 cannot import numpy: install Debian's python3-numpy (apt-get install python3-numpy); the root test:all does so as root");
    const env = { ...process.env, ...server.env(), PYTHONPATH: pythonPath };
    const lines = rest.flatMap((b) => b.code.split("\n")).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) {
      const r = await run(smaller(line), cwd, env);
      expect(r.code, `${line}\n${r.out.slice(-2000)}`).toBe(0);
      if (line === "python3 predict.py") expect(r.out).toMatch(/^10000 images; agree with nq predict: 10000$/m);
    }
  }, 1_800_000);
});

/** Every README of the repository. */
function readmes(): string[] {
  return ["README.md", ...readdirSync(join(repo, "packages")).map((p) => join("packages", p, "README.md"))].filter((p) => existsSync(join(repo, p)));
}

const js = (code: string) => ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;

describe("every TypeScript example of the READMEs runs", () => {
  // Inside the cli package, so the examples resolve the workspace packages as a user's code would.
  const dir = join(cliDir, ".readme-examples");
  beforeAll(() => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const examples = readmes().flatMap((readme) =>
    blocks(readFileSync(join(repo, readme), "utf8"))
      .filter((b) => b.info === "ts")
      .map((b, i, list) => ({ readme, index: i, code: b.code, previous: i > 0 ? list[i - 1].code : null })),
  );

  it("finds the examples", () => {
    expect(examples.length).toBeGreaterThanOrEqual(6);
  });

  for (const ex of examples) {
    it(`${ex.readme} example ${ex.index + 1}`, () => {
      const base = join(dir, `${ex.readme.replace(/[/.]/g, "_")}-${ex.index + 1}`);
      mkdirSync(join(base, "src"), { recursive: true });
      mkdirSync(join(base, "test"), { recursive: true });
      let r;
      if (ex.code.includes("@natural-quantization/core/conformance")) {
        // A backend's conformance test: the README's previous example is the package under test.
        writeFileSync(join(base, "src", "index.mjs"), js(ex.previous ?? ""));
        writeFileSync(join(base, "test", "conformance.test.mjs"), js(ex.code).replace(/"\.\.\/src\/index\.js"/, '"../src/index.mjs"'));
        writeFileSync(join(base, "vitest.config.mjs"), 'export default { test: { include: ["test/**/*.test.mjs"], testTimeout: 120000 } };\n');
        r = spawnSync(process.execPath, [join(repo, "node_modules", "vitest", "vitest.mjs"), "run", "--root", base, "--config", join(base, "vitest.config.mjs")], { encoding: "utf8", cwd: base, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
      } else {
        writeFileSync(join(base, "example.mjs"), js(ex.code));
        r = spawnSync(process.execPath, [join(base, "example.mjs")], { encoding: "utf8", cwd: base });
      }
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      if (ex.code.includes("@natural-quantization/core/conformance")) expect(r.stdout).toMatch(/Tests\s+\d+ passed/);
    }, 300_000);
  }
});
