#!/usr/bin/env node
// `pnpm run test:all`: every test, with its own set-up and tear-down, so that it passes on a fresh
// machine with nothing run before it.
//   1. System prerequisites (scripts/prerequisites.mjs): missing ones are installed with apt-get
//      when running as root; otherwise one line says what to install, before any test runs.
//   2. A one-node Slurm cluster (scripts/slurm-local.sh), unless one already answers; stopped at
//      the end whatever happens (also on Ctrl-C or SIGTERM).
//   3. nx build, lint and test of every package; the Slurm sweep test; the pack test, run as a user
//      would run it (`node scripts/pack-test.mjs`, no pnpm on PATH).
//   4. No tracked file may have been changed by the tests.
import { spawn, spawnSync } from "node:child_process";
import { delimiter, join } from "node:path";
import { plan, PREREQUISITES, onPath } from "./prerequisites.mjs";
import { pathWithPnpm, ROOT } from "./pnpm.mjs";
import { changedTrackedFiles, trackedSnapshot } from "./tracked-files.mjs";

const log = (line) => process.stderr.write(`test:all: ${line}\n`);
const root = process.getuid?.() === 0;

// 1. Prerequisites, before anything else.
let missing = PREREQUISITES.filter((p) => !p.present());
const decision = plan(missing, { root, apt: onPath("apt-get") });
if (decision.action === "stop") {
  process.stderr.write(`${decision.message}\n`);
  process.exit(1);
}
if (decision.action === "install") {
  log(`installing ${decision.packages.join(" ")} (missing: ${missing.map((m) => m.what).join("; ")})`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", ...decision.packages]]) {
    const r = spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env });
    if (r.status !== 0) {
      log(`apt-get ${args.join(" ")} failed (exit ${r.status}); install ${decision.packages.join(" ")} by hand`);
      process.exit(1);
    }
  }
  missing = PREREQUISITES.filter((p) => !p.present());
  if (missing.length > 0) {
    log(`still missing after apt-get: ${missing.map((m) => m.what).join("; ")}`);
    process.exit(1);
  }
}

const clusterAnswers = () => /^(idle|mix|alloc)/m.test(spawnSync("sinfo", ["-h", "-o", "%t"], { encoding: "utf8" }).stdout ?? "");
const startCluster = !clusterAnswers();
if (startCluster && !root) {
  process.stderr.write("test:all: the Slurm test needs a running cluster and none answers; start the one-node cluster first (sudo bash scripts/slurm-local.sh start), or run test:all as root, which starts and stops it\n");
  process.exit(1);
}

const env = {
  ...process.env,
  NX_DAEMON: process.env.NX_DAEMON ?? "false",
  NX_NO_CLOUD: process.env.NX_NO_CLOUD ?? "true",
  NX_TUI: process.env.NX_TUI ?? "false",
  PATH: pathWithPnpm(`${join(ROOT, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`),
};

let child = null;
let stopping = false;
/**
 * Runs a command with inherited output in a process group of its own (so that stopping it stops
 * everything it started: nx, vitest, browsers, nq); resolves to its exit status.
 */
function run(cmd, args, extraEnv = {}) {
  log(`$ ${[cmd, ...args].join(" ")}`);
  return new Promise((resolve) => {
    child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"], env: { ...env, ...extraEnv }, detached: true });
    child.on("error", (e) => {
      log(`${cmd}: ${e.message}`);
      resolve(1);
    });
    child.on("close", (code, signal) => {
      child = null;
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

function stopCluster() {
  if (startCluster) spawnSync("bash", [join(ROOT, "scripts", "slurm-local.sh"), "stop"], { stdio: "inherit" });
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

// Ctrl-C, a CI timeout, a closed terminal: stop the running step's whole group, then the cluster.
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]]) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    const running = child;
    if (running) {
      killGroup(running.pid, "SIGTERM");
      setTimeout(() => killGroup(running.pid, "SIGKILL"), 5000).unref();
    }
    stopCluster();
    // Exit once the group is gone (SIGKILL after 5 s), at most 6 s from now.
    const deadline = Date.now() + 6000;
    setInterval(() => {
      let alive = running !== null;
      try {
        if (alive) process.kill(-running.pid, 0);
      } catch {
        alive = false;
      }
      if (!alive || Date.now() > deadline) process.exit(code);
    }, 100);
  });
}

/** PATH without any directory that holds a pnpm: the pack test must work without one. */
const pathWithoutPnpm = (process.env.PATH ?? "").split(delimiter).filter((d) => !onPath("pnpm", d)).join(delimiter);

const before = trackedSnapshot(ROOT);
let status = 0;
try {
  if (startCluster) {
    status = await run("bash", [join(ROOT, "scripts", "slurm-local.sh"), "start"]);
    if (status !== 0) log("the one-node Slurm cluster did not start (see above)");
  } else {
    log("a Slurm cluster answers already (sinfo); using it");
  }
  const steps = [
    ["vitest", ["run", "--config", "scripts/vitest.config.mjs"]],
    ["nx", ["run-many", "-t", "build", "lint", "test"]],
    ["nx", ["run", "@natural-quantization/cli:test:slurm"]],
    ["node", ["scripts/pack-test.mjs"], { PATH: pathWithoutPnpm }],
  ];
  for (const [cmd, args, extraEnv] of steps) {
    if (status !== 0 || stopping) break;
    status = await run(cmd, args, extraEnv);
  }
} finally {
  stopCluster();
}
if (stopping) await new Promise(() => {}); // the signal handler exits
const changed = before ? changedTrackedFiles(ROOT, before) : [];
if (changed.length > 0) {
  log(`the tests changed tracked files: ${changed.join(", ")}; a test must write into a temporary or ignored directory`);
  status ||= 1;
}
log(status === 0 ? "all passed" : `failed (exit ${status})`);
process.exit(status);
