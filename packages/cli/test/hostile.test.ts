// The probes of a hostile but realistic user (issue 15), run against the built nq: nothing already
// written is lost, nothing hangs, and every refusal is one line with exit 2.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useSilentServer } from "../../hardware/test/providers/silent-server.js";
import { bin, nq, nqAsync, oneLine, tiny } from "./helpers.js";

const temp = () => mkdtempSync(join(tmpdir(), "nq-hostile-"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A trained run to read from: weights.json and checkpoint.json of a tiny network. */
const base = temp();
const run = join(base, "run");
beforeAll(() => {
  const r = nq(["train", ...tiny, "--out", run]);
  expect(r.code, r.stderr).toBe(0);
});

/** A command run with stdout going to a file descriptor (e.g. /dev/full). */
function withStdout(args: string[], path: string) {
  const fd = openSync(path, "w");
  try {
    return nq(args, { stdio: ["ignore", fd, "pipe"] });
  } finally {
    closeSync(fd);
  }
}

/** A tmpfs mounted at a new directory (root only); null where mounting is not allowed. */
function mountTmpfs(options: string): string | null {
  const dir = temp();
  return spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir]).status === 0 ? dir : null;
}

/** A pid that does not run: a child that has exited. */
const deadPid = () => Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);

function expectOneLine(r: { code: number | null; stderr: string }, message: RegExp) {
  expect(r.stderr).toMatch(message);
  expect(oneLine(r.stderr), r.stderr).toBe(true);
  expect(r.code).toBe(2);
}

describe("data loss", () => {
  it("export and predict refuse an --out that is their input, and leave it as it was", () => {
    const dir = temp();
    const w = join(dir, "x.json");
    copyFileSync(join(run, "weights.json"), w);
    const before = readFileSync(w);
    expectOneLine(nq(["export", "--weights", w, "--out", w, "--format", "npz"]), /^nq: --out .*x\.json is the --weights file; writing it would destroy the input; choose another --out\n$/);
    expectOneLine(nq(["predict", "--weights", w, "--out", w, "--force"]), /^nq: --out .*x\.json is the --weights file/);
    // Also through a link to it.
    symlinkSync(w, join(dir, "link.json"));
    expectOneLine(nq(["export", "--weights", w, "--out", join(dir, "link.json"), "--format", "npz"]), /is the --weights file/);
    expect(readFileSync(w)).toEqual(before);
  });

  it("a file that is not the command's own kind of output is replaced only with --force; its own kind is replaced", () => {
    const dir = temp();
    const notes = join(dir, "notes.txt");
    writeFileSync(notes, "my notes\n");
    const w = join(run, "weights.json");
    expectOneLine(nq(["export", "--weights", w, "--out", notes, "--format", "npz"]), /^nq: --out .*notes\.txt exists and is not a safetensors or npz file; it was left as it is; choose another --out, or replace it with --force\n$/);
    expectOneLine(nq(["predict", "--weights", w, "--out", notes]), /^nq: --out .*notes\.txt exists and is not a predictions CSV written by nq predict; it was left as it is/);
    expect(readFileSync(notes, "utf8")).toBe("my notes\n");
    expect(nq(["predict", "--weights", w, "--out", notes, "--force"]).code).toBe(0);
    expect(readFileSync(notes, "utf8")).toMatch(/^index,label,predicted,votes_0/);
    // Its own kind, written before: replaced without --force.
    expect(nq(["predict", "--weights", w, "--out", notes, "--shots", "1"]).code).toBe(0);
    for (const f of ["w.npz", "w.safetensors"]) {
      expect(nq(["export", "--weights", w, "--out", join(dir, f)]).code).toBe(0);
      expect(nq(["export", "--weights", w, "--out", join(dir, f)]).code).toBe(0);
    }
  });

  it("two nq train on one --out: the second refuses at once, naming the first; the first's run goes on untouched", async () => {
    const out = join(temp(), "D");
    const long = ["--dataset", "synthetic", "--train-size", "4000", "--test-size", "100", "--width", "64", "--depth", "3", "--epochs", "500", "--lr", "0.05", "--shots", "3"];
    const first = nqAsync(["train", ...long, "--seed", "7", "--out", out, "--json"]);
    const t0 = Date.now();
    while (!existsSync(join(out, "checkpoint.json")) && Date.now() - t0 < 60_000) await sleep(20);
    const second = nq(["train", ...long, "--seed", "8", "--out", out, "--json"]);
    expectOneLine(second, new RegExp(`^nq: .*D is in use by "nq train .*--seed 7 --out .*" \\(host ${hostname()}, pid ${first.child.pid}, since .*\\); wait for it to end or stop it, then run this again\\n$`));
    first.child.kill("SIGINT");
    const r = await first.done;
    expect(r.code, r.stderr).toBe(130);
    // The first run's checkpoint is its own (seed 7), and its lock is gone with it.
    expect(JSON.parse(readFileSync(join(out, "checkpoint.json"), "utf8")).training.seed).toBe(7);
    expect(existsSync(join(out, "train.lock"))).toBe(false);
  });

  it("a train.lock whose pid now belongs to another process is taken over; an old lock of a live pid is respected", () => {
    const out = temp();
    const lock = join(out, "train.lock");
    // The pid runs (the test runner's parent) but started at another time: a reused pid.
    writeFileSync(lock, JSON.stringify({ host: hostname(), pid: process.ppid, since: "2026-01-01T00:00:00.000Z", started: "another-boot:1", command: "train old" }));
    const r = nq(["train", ...tiny, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
    // Without a start time (an older lock), a live pid is taken at its word.
    writeFileSync(lock, JSON.stringify({ host: hostname(), pid: process.ppid, since: "2026-01-01T00:00:00.000Z", command: "train old" }));
    expectOneLine(nq(["train", ...tiny, "--out", out, "--resume"]), /is in use by "nq train old"/);
  });

  it("--resume with no checkpoint to resume is an error, and the run's files stay", () => {
    const out = temp();
    expectOneLine(nq(["train", ...tiny, "--out", out, "--resume"]), /^nq: --resume: .* holds no run to continue \(no checkpoint\.json\); leave out --resume to start one\n$/);
    expect(nq(["train", ...tiny, "--out", out]).code).toBe(0);
    const rm = spawnSync("rm", [join(out, "checkpoint.json")]);
    expect(rm.status).toBe(0);
    const weights = readFileSync(join(out, "weights.json"));
    expectOneLine(nq(["train", ...tiny, "--out", out, "--resume"]), /^nq: --resume: .* has no checkpoint\.json, so there is nothing to continue \(it holds weights\.json, metrics\.json, result\.json\); start over with --force, or choose another --out\n$/);
    expect(readFileSync(join(out, "weights.json"))).toEqual(weights);
  });

  it("output to a full device or a full disk is one line and exit 2, never a silently short file", (ctx) => {
    const w = join(run, "weights.json");
    expectOneLine(withStdout(["predict", "--weights", w], "/dev/full"), /^nq: cannot write to standard output: no space left on device \(ENOSPC\)/);
    expectOneLine(withStdout(["eval", "--weights", w, "--json"], "/dev/full"), /^nq: cannot write to standard output: no space left on device \(ENOSPC\)/);
    const mnt = mountTmpfs("size=8k");
    if (!mnt) {
      ctx.annotate?.("tmpfs cannot be mounted here; /dev/full above covers the failing write");
      return;
    }
    try {
      // 3,000 images of CSV do not fit in 8 kB: the write is cut short, and that is an error.
      const r = withStdout(["predict", "--weights", w, "--dataset", "synthetic", "--test-size", "3000", "--shots", "1"], join(mnt, "p.csv"));
      expectOneLine(r, /^nq: cannot write to standard output: no space left on device \(ENOSPC\); only \d+ of \d+ bytes were written, the output is incomplete\n$/);
    } finally {
      spawnSync("umount", [mnt]);
    }
  });

  it("--resume refuses a checkpoint with an infinite weight, a negative epoch or no velocities, before any work, and keeps it", () => {
    const good = JSON.parse(readFileSync(join(run, "checkpoint.json"), "utf8")) as Record<string, unknown> & { weights: Array<{ w: string }> };
    const w = Buffer.from(good.weights[0].w, "base64");
    w.writeFloatLE(Infinity, 0);
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["infinite", { ...good, weights: [{ ...good.weights[0], w: w.toString("base64") }, ...good.weights.slice(1)] }, /checkpoint\.json: layer 1 w\[0\] is Infinity/],
      ["negative epoch", { ...good, epoch: -3 }, /checkpoint\.json: epoch -3 is not an integer in 0\.\.2/],
      ["no velocities", { ...good, velocities: undefined }, /checkpoint\.json has no velocities \(the optimizer state\), so it cannot continue a run exactly/],
    ];
    for (const [, ck, message] of cases) {
      const out = temp();
      writeFileSync(join(out, "checkpoint.json"), JSON.stringify(ck));
      const before = readFileSync(join(out, "checkpoint.json"));
      const r = nq(["train", ...tiny, "--epochs", "4", "--out", out, "--resume"]);
      expectOneLine(r, message);
      expect(r.stderr).not.toMatch(/epoch \d+\/\d+/);
      expect(readFileSync(join(out, "checkpoint.json"))).toEqual(before);
    }
  });

  it("a corrupt cell result.json does not count as finished: rerunning the sweep repairs it", () => {
    const out = join(temp(), "sweep");
    const args = ["sweep", ...tiny, "--a", "0,1", "--seeds", "0", "--jobs", "1", "--no-report", "--backend", "sim-cpu", "--out", out];
    expect(nq(args).code).toBe(0);
    const cells = readdirSync(join(out, "cells"));
    const result = join(out, "cells", cells[0], "result.json");
    const good = JSON.parse(readFileSync(result, "utf8")) as Record<string, unknown>;
    writeFileSync(result, '{"backend": "sim-cpu", "a": 0, "testErr');
    const status = nq(["sweep", "status", out]);
    expect(status.stdout).toMatch(/1 done, 0 running, 1 pending/);
    const again = nq(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/result\.json is corrupt \(not valid JSON\); set aside as result\.json\.corrupt, the cell runs again/);
    expect(again.stdout).toMatch(/2\/2 cells finished \(1 run now, 1 skipped/);
    expect(JSON.parse(readFileSync(result, "utf8")).testErrorK).toBe(good.testErrorK);
    expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8"))).toHaveLength(2);
  });

  it("temporary files left by a killed write are removed by the next run", () => {
    const out = temp();
    expect(nq(["train", ...tiny, "--out", out]).code).toBe(0);
    const stale = `.checkpoint.json.${deadPid()}.1700000000000.tmp`;
    writeFileSync(join(out, stale), "half a checkpoi");
    expect(nq(["train", ...tiny, "--epochs", "3", "--out", out, "--resume"]).code).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("one line, not a stack trace", () => {
  const parts = ["network", "training", "dataset", "network.neuron"];
  it.each(["eval", "predict", "circuits", "export"])("%s: a checkpoint missing network, training, dataset or neuron is refused naming the part", (command) => {
    const dir = temp();
    for (const part of parts) {
      const ck = JSON.parse(readFileSync(join(run, "weights.json"), "utf8")) as Record<string, Record<string, unknown>>;
      if (part === "network.neuron") delete ck.network.neuron;
      else delete ck[part];
      const file = join(dir, `${part}.json`);
      writeFileSync(file, JSON.stringify(ck));
      const out = command === "export" ? ["--out", join(dir, "w.npz")] : command === "circuits" ? ["--out", join(dir, "circuits")] : [];
      expectOneLine(nq([command, "--weights", file, ...out]), new RegExp(`^nq: .*${part}\\.json has no valid "${part.replace(".", "\\.")}"`));
    }
  });

  it("nq sweep --out under a file, onto a file, on a read-only file system", () => {
    const dir = temp();
    const file = join(dir, "afile");
    writeFileSync(file, "x");
    const sweep = (out: string) => nq(["sweep", ...tiny, "--a", "0", "--seeds", "0", "--out", out]);
    expectOneLine(sweep(join(file, "sw")), /^nq: cannot write to --out .*afile\/sw: .*afile is a file, not a directory; choose another --out\n$/);
    expectOneLine(sweep(file), /^nq: cannot write to --out .*afile: .*afile is a file, not a directory; choose another --out\n$/);
    expect(readFileSync(file, "utf8")).toBe("x");
  });

  it("a read-only file system is named as such (EROFS), not as a missing file", (ctx) => {
    const mnt = mountTmpfs("ro,size=64k");
    if (!mnt) {
      ctx.annotate?.("a read-only tmpfs cannot be mounted here");
      return;
    }
    try {
      expectOneLine(nq(["sweep", ...tiny, "--a", "0", "--seeds", "0", "--out", join(mnt, "sw")]), /^nq: cannot write to --out .*\/sw: read-only file system \(EROFS\); choose another --out\n$/);
      expectOneLine(nq(["train", ...tiny, "--out", join(mnt, "run")]), /^nq: cannot write to --out .*\/run: read-only file system \(EROFS\); choose another --out\n$/);
      expectOneLine(nq(["predict", "--weights", join(run, "weights.json"), "--out", join(mnt, "p.csv")]), /^nq: cannot write to the directory of --out .*: read-only file system \(EROFS\); choose another --out\n$/);
    } finally {
      spawnSync("umount", [mnt]);
    }
  });

  it("nq playground --host 8.8.8.8 (not an address here) is one line", () => {
    expectOneLine(nq(["playground", "--host", "8.8.8.8", "--port", "0"]), /^nq: cannot listen on --host 8\.8\.8\.8: it is not an address of this machine \(EADDRNOTAVAIL\)/);
  });
});

describe("hangs and blow-ups", () => {
  const silent = useSilentServer();

  it("nq eval --provider ibm-runtime with an IAM server that never answers gives up after NQ_NETWORK_TIMEOUT_SECONDS, in one line", async () => {
    const env = { ...process.env, IBM_CLOUD_API_KEY: "k-test-1", IBM_QUANTUM_CRN: "crn:v1:test::", IBM_IAM_URL: silent.url, IBM_QUANTUM_URL: `${silent.url}/api/v1`, NQ_NETWORK_TIMEOUT_SECONDS: "0.5" };
    const t0 = Date.now();
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, [bin, "eval", "--weights", join(run, "weights.json"), "--backend", "hardware", "--provider", "ibm-runtime", "--device", "test_heron6", "--test-size", "10", "--shots", "1", "--out", temp()], { env });
      let stderr = "";
      p.stderr.on("data", (d) => (stderr += d));
      p.on("close", (code) => resolve({ code, stderr }));
    });
    expect(r.stderr).toMatch(new RegExp(`(^|\\n)nq: IBM Cloud IAM at ${silent.url}/identity/token did not answer within 0\\.5 s; check the network and the address, or allow longer waits with NQ_NETWORK_TIMEOUT_SECONDS \\(or IBM_IAM_URL\\)\\n$`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(2);
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 30_000);

  it("a huge --weights, --noise or sweep --file is refused as too large before it is read", () => {
    const huge = join(temp(), "huge.json");
    closeSync(openSync(huge, "w"));
    truncateSync(huge, 3 * 2 ** 30); // sparse
    expectOneLine(nq(["eval", "--weights", huge]), /^nq: checkpoint .*huge\.json is too large \(3\.2 GB; at most 536\.9 MB\); check that this is the right file\n$/);
    expectOneLine(nq(["eval", "--weights", join(run, "weights.json"), "--noise", huge]), /^nq: noise file .*huge\.json is too large \(3\.2 GB; at most 16\.8 MB\)/);
    expectOneLine(nq(["sweep", "--file", huge, "--out", join(temp(), "sw")]), /^nq: sweep file .*huge\.json is too large \(3\.2 GB; at most 16\.8 MB\)/);
  });
});

describe("wrong or unclear", () => {
  it("an output directory's message names the option once, in words", () => {
    const dir = temp();
    writeFileSync(join(dir, "f"), "x");
    const r = nq(["predict", "--weights", join(run, "weights.json"), "--out", join(dir, "f", "p.csv")]);
    expectOneLine(r, /^nq: cannot write to the directory of --out .*\/f: .*\/f is a file, not a directory; choose another --out\n$/);
  });

  it.each([
    [["train", ...tiny, "--out", ""], /^nq: --out is empty; give a directory\n$/],
    [["predict", "--weights", "w.json", "--out", ""], /^nq: --out is empty; give a file name\n$/],
    [["export", "--weights", "w.json", "--out", ""], /^nq: --out is empty; give a file name\n$/],
    [["sweep", ...tiny, "--out", ""], /^nq: --out is empty; give a directory\n$/],
    [["eval", "--weights", join(run, "weights.json"), "--out", ""], /^nq: --out is empty; give a directory\n$/],
  ])("%j is an error, not ignored", (args, message) => {
    expectOneLine(nq(args), message);
  });

  it("IDX labels that are not classes of the network are refused", () => {
    const dir = temp();
    const ck = JSON.parse(readFileSync(join(run, "weights.json"), "utf8")) as { network: { inputSize: number; outputSize: number } };
    const n = 5;
    const side = Math.sqrt(ck.network.inputSize);
    const header = (dims: number[]) => Buffer.from([0, 0, 8, dims.length, ...dims.flatMap((d) => [(d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255])]);
    writeFileSync(join(dir, "img.idx"), Buffer.concat([header([n, side, side]), Buffer.alloc(n * side * side, 7)]));
    writeFileSync(join(dir, "lab.idx"), Buffer.concat([header([n]), Buffer.from([1, 0, 12, 1, 0])]));
    expectOneLine(
      nq(["predict", "--weights", join(run, "weights.json"), "--images", join(dir, "img.idx"), "--labels", join(dir, "lab.idx")]),
      new RegExp(`^nq: .*lab\\.idx: label 12 of image 2 is not a class of this network \\(0\\.\\.${ck.network.outputSize - 1}\\); pass the labels of a ${ck.network.outputSize}-class dataset\\n$`),
    );
  });

  it("nq playground does not follow a symbolic link out of --dir, and warns when it listens beyond this machine", async () => {
    const root = temp();
    const page = join(root, "page");
    mkdirSync(page);
    writeFileSync(join(page, "index.html"), "<html>page</html>");
    writeFileSync(join(root, "secret.txt"), "secret");
    symlinkSync(join(root, "secret.txt"), join(page, "leak.txt"));
    writeFileSync(join(page, "inside.txt"), "inside");
    symlinkSync(join(page, "inside.txt"), join(page, "alias.txt"));
    let url = "";
    const p = nqAsync(["playground", "--dir", page, "--port", "0", "--host", "0.0.0.0"], (stderr) => void stderr);
    p.child.stdout!.on("data", (d) => (url ||= /http:\/\/[^ ]+\//.exec(String(d))?.[0] ?? ""));
    const t0 = Date.now();
    while (!url && Date.now() - t0 < 20_000) await sleep(20);
    const local = url.replace("0.0.0.0", "127.0.0.1");
    try {
      expect((await fetch(`${local}leak.txt`)).status).toBe(404);
      expect(await (await fetch(`${local}alias.txt`)).text()).toBe("inside");
      expect(await (await fetch(local)).text()).toBe("<html>page</html>");
    } finally {
      p.child.kill("SIGINT");
    }
    const r = await p.done;
    expect(r.stderr).toMatch(/^nq playground: warning: listening on 0\.0\.0\.0, not only on this machine: anyone who can reach it on port \d+ can open the playground; use --host 127\.0\.0\.1 to keep it local\n$/);
  });
});
