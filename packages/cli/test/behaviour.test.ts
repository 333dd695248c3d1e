// Process-level behaviour of the built `nq`: exit codes, stderr lines, signals, closed pipes.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCheckpoint } from "@natural-quantization/core/node";
import { describe, expect, it } from "vitest";
import { bin, nq, nqAsync, oneLine, tiny } from "./helpers.js";

const temp = () => mkdtempSync(join(tmpdir(), "nq-behaviour-"));
const failWrites = fileURLToPath(new URL("./fixtures/fail-writes.mjs", import.meta.url));

describe("nq as a command-line tool", () => {
  it("--version prints the version of package.json", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    const r = nq(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it.each([
    [["sweep", "bad.yaml"], /^nq: unexpected argument "bad\.yaml" for nq sweep; did you mean --file bad\.yaml\?$/],
    [["sweep", "--out", "x", "grid.json"], /^nq: unexpected argument "grid\.json" for nq sweep; did you mean --file grid\.json\?$/],
    [["eval", "w.json"], /^nq: unexpected argument "w\.json" for nq eval; did you mean --weights w\.json\?$/],
    [["reproduce", "paper"], /^nq: unexpected argument "paper" for nq reproduce; did you mean --preset paper\?$/],
    [["predict", "--weights", "w.json", "out.csv"], /^nq: unexpected argument "out\.csv" for nq predict; did you mean --out out\.csv\?$/],
    [["train", "0.5"], /^nq: unexpected argument "0\.5" for nq train; nq train takes options only \(see nq train --help\)$/],
    [["train", "--epoch", "3"], /^nq: unknown option '--epoch' \(Did you mean --epochs\?\)$/],
    [["trian"], /^nq: unknown command 'trian' \(Did you mean train\?\)$/],
    [["export", "--weights", "w.json"], /^nq: nq export needs --out <file> \(see nq export --help\)$/],
  ])("refuses %j with one line naming the likely option, exit 2, before any work", (args, message) => {
    const r = nq(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(message);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stdout).toBe("");
  });

  it("refuses an --out whose parent is a file, before training, with one line and exit 2", () => {
    const dir = temp();
    writeFileSync(join(dir, "file"), "x");
    const r = nq(["train", ...tiny, "--out", join(dir, "file", "run")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^nq: cannot write to --out .*/file/run: .*/file is a file, not a directory`));
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).not.toMatch(/epoch/);
  });

  it("refuses an --out without write permission, before training", () => {
    const dir = temp();
    const locked = join(dir, "locked");
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    chmodSync(dir, 0o755);
    // Root may write anywhere; run as an unprivileged user then, so the permission bits count.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = nq(["train", ...tiny, "--out", join(locked, "run")], { ...asUser, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nq: cannot write to --out .*\/locked\/run: permission denied \(EACCES\)/);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).not.toMatch(/epoch/);
  });

  it("an --out holding a run refuses to start unless --resume or --force; a refused resume names what differs", () => {
    const out = temp();
    expect(nq(["train", ...tiny, "--out", out]).code).toBe(0);
    const again = nq(["train", ...tiny, "--out", out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a run \(checkpoint\.json, weights\.json, metrics\.json, result\.json\); continue it with --resume, overwrite it with --force/);
    expect(oneLine(again.stderr)).toBe(true);
    expect(loadCheckpoint(join(out, "checkpoint.json")).training.seed).toBe(0);

    const forced = nq(["train", ...tiny, "--seed", "4", "--out", out, "--force", "--json"]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).seed).toBe(4);
    expect(loadCheckpoint(join(out, "checkpoint.json")).training.seed).toBe(4);

    const changed = nq(["train", ...tiny, "--seed", "4", "--a", "0.9", "--lr", "0.1", "--epochs", "3", "--out", out, "--resume"]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/^nq: the checkpoint was made with other options: a 0 \(now 0\.9\), lr 0\.05 \(now 0\.1\); use the checkpoint's values/);
    expect(oneLine(changed.stderr)).toBe(true);
    expect(nq(["train", ...tiny, "--out", out, "--resume", "--force"]).code).toBe(2);
  });

  it.each(["EIO", "ENOSPC"])("a checkpoint write failing mid-run with %s gives one line naming the path and the cause, and keeps the last good checkpoint", (code) => {
    const out = temp();
    const r = nq(["train", ...tiny, "--epochs", "3", "--out", out], {
      nodeArgs: ["--import", failWrites],
      env: { ...process.env, NQ_FAIL_PATH: "checkpoint.json", NQ_FAIL_AFTER: "1", NQ_FAIL_CODE: code },
    });
    expect(r.code).toBe(2);
    const cause = code === "EIO" ? "i/o error \\(EIO\\)" : "no space left on device \\(ENOSPC\\)";
    expect(r.stderr).toMatch(new RegExp(`\\nnq: cannot write ${out}/checkpoint\\.json: ${cause}; the checkpoint of epoch 1 is kept; fix the cause and continue with --resume\\n$`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(loadCheckpoint(join(out, "checkpoint.json")).epoch).toBe(1);
    // The kept checkpoint resumes.
    const resumed = nq(["train", ...tiny, "--epochs", "3", "--out", out, "--resume", "--json"]);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).epochSeconds).toHaveLength(3);
  });

  it("a full disk (a tiny tmpfs) mid-run gives one line naming the path and ENOSPC, and keeps the last good checkpoint", (ctx) => {
    // A real full file system where one can be mounted (root in a container that allows it).
    const args = ["--dataset", "synthetic", "--train-size", "200", "--test-size", "50", "--width", "128", "--depth", "3", "--epochs", "3", "--shots", "1"];
    const probe = temp();
    expect(nq(["train", ...args, "--epochs", "1", "--out", probe]).code).toBe(0);
    const size = statSync(join(probe, "checkpoint.json")).size;
    const mnt = temp();
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${Math.ceil((size * 1.5) / 4096) * 4}k`, "tmpfs", mnt]).status === 0;
    if (!mounted) {
      ctx.annotate?.("tmpfs could not be mounted here; the injected ENOSPC case above covers the same path");
      expect(existsSync(mnt)).toBe(true);
      return;
    }
    try {
      const r = nq(["train", ...args, "--out", join(mnt, "run")]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`\\nnq: cannot write ${mnt}/run/checkpoint\\.json: no space left on device \\(ENOSPC\\); the checkpoint of epoch 1 is kept`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(loadCheckpoint(join(mnt, "run", "checkpoint.json")).epoch).toBe(1);
    } finally {
      spawnSync("umount", [mnt]);
    }
  });

  it("Ctrl-C during training prints the epoch reached and the exact --resume command, exits 130, and that command finishes the run", async () => {
    const out = join(temp(), "run dir");
    const args = ["train", "--dataset", "synthetic", "--train-size", "4000", "--test-size", "100", "--width", "128", "--depth", "3", "--epochs", "14", "--lr", "0.05", "--shots", "3", "--out", out];
    let sent = false;
    const { done } = nqAsync(args, (text, child) => {
      if (!sent && /epoch 2\/14/.test(text)) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    const r = await done;
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    // From the repository's workspace, nq is not on PATH: the hint says npx nq.
    const m = /nq: interrupted after epoch (\d+) of 14; (.*) holds epoch \1; continue with:\n {2}(npx nq .*)\n$/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const epoch = Number(m![1]);
    expect(epoch).toBeGreaterThanOrEqual(2);
    expect(epoch).toBeLessThan(14);
    expect(m![2]).toBe(join(out, "checkpoint.json"));
    expect(loadCheckpoint(join(out, "checkpoint.json")).epoch).toBe(epoch);
    // The printed command, run by a shell exactly as shown, continues to the end.
    const resumed = spawnSync("sh", ["-c", m![3].replace(/^npx nq /, `"${process.execPath}" "${bin}" `) + " --json"], { encoding: "utf8" });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`epoch ${epoch + 1}/14`));
    expect(resumed.stderr).not.toMatch(new RegExp(`epoch ${epoch}/14`));
    expect(JSON.parse(resumed.stdout).epochSeconds).toHaveLength(14);
  });

  it("a closed stdout (nq train --json | head -c 0) ends quietly", async () => {
    const { child, done } = nqAsync(["train", ...tiny, "--json"]);
    child.stdout!.destroy();
    const r = await done;
    expect(r.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(r.code).toBe(0);
  });

  it("the --threads help says what the backends do, and nq backends agrees", () => {
    const help = nq(["train", "--help"]).stdout.replace(/\s+/g, " ");
    expect(help).toMatch(/--threads <n> threads of the backend: sim-wasm takes any count \(default: all cores\); sim-cpu always runs on 1/);
    const rows = JSON.parse(nq(["backends", "--json"]).stdout) as Array<{ name: string; threads: number }>;
    expect(rows.find((b) => b.name === "sim-wasm")!.threads).toBe(availableParallelism());
    expect(rows.find((b) => b.name === "sim-cpu")!.threads).toBe(1);
  });
});
