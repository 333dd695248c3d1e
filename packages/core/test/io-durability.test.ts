import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";

// node:fs as io.ts sees it, with a write that can be made to fail half-way (a crash or a full
// disk mid-write) and a log of the calls that make a write durable.
const fault = vi.hoisted(() => ({ failWrite: false, calls: [] as string[] }));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const fdPaths = new Map<number, string>();
  return {
    ...fs,
    openSync: (path: string, flags: string, mode?: number) => {
      const fd = fs.openSync(path, flags, mode);
      fdPaths.set(fd, String(path));
      return fd;
    },
    writeFileSync: (target: number | string, data: string | Uint8Array, options?: unknown) => {
      if (fault.failWrite) {
        fault.failWrite = false;
        fs.writeFileSync(target, data.slice(0, Math.floor(data.length / 2)));
        throw Object.assign(new Error("injected: the write stopped half-way"), { code: "EIO" });
      }
      fault.calls.push(`write ${typeof target === "number" ? fdPaths.get(target) : target}`);
      return fs.writeFileSync(target, data, options as Parameters<typeof fs.writeFileSync>[2]);
    },
    fsyncSync: (fd: number) => {
      fault.calls.push(`fsync ${fdPaths.get(fd)}`);
      return fs.fsyncSync(fd);
    },
    renameSync: (from: string, to: string) => {
      fault.calls.push(`rename ${to}`);
      return fs.renameSync(from, to);
    },
  };
});

const { writeFileAtomic } = await import("../src/node/io.js");

describe("writeFileAtomic", () => {
  beforeEach(() => {
    fault.failWrite = false;
    fault.calls.length = 0;
  });

  it("leaves the old file whole when the write fails half-way, and no temporary file", () => {
    const dir = mkdtempSync(join(tmpdir(), "nq-io-crash-"));
    const path = join(dir, "result.json");
    writeFileAtomic(path, "old contents, complete\n");
    fault.failWrite = true;
    expect(() => writeFileAtomic(path, "new contents that never fully reach the disk\n")).toThrow(/half-way/);
    expect(readFileSync(path, "utf8")).toBe("old contents, complete\n");
    expect(readdirSync(dir)).toEqual(["result.json"]);
  });

  it("fsyncs the data before the rename and the directory after it", () => {
    const dir = mkdtempSync(join(tmpdir(), "nq-io-fsync-"));
    const path = join(dir, "result.json");
    writeFileAtomic(path, "data\n");
    expect(readFileSync(path, "utf8")).toBe("data\n");
    const tmp = fault.calls[0].replace(/^write /, "");
    expect(tmp).toMatch(/\.result\.json\.\d+\.\d+\.tmp$/);
    expect(fault.calls).toEqual([`write ${tmp}`, `fsync ${tmp}`, `rename ${path}`, `fsync ${dir}`]);
  });
});
