import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { registerBackend, registerCore, Tokens } from "../src/di.js";
import { container as root } from "tsyringe";
import type { Backend } from "../src/backend.js";
import { SgdTrainer } from "../src/trainer.js";

describe("dependency injection", () => {
  it("resolves the trainer on the registered backend, one backend per container, as dense engine and qubit layer", () => {
    const c = root.createChildContainer();
    let made = 0;
    const fake = { name: "fake", capabilities: { training: true, sampling: "exact", deterministic: true, maxQubits: null, noise: false, threads: 1 } } as unknown as Backend;
    registerBackend(c, () => {
      made++;
      return fake;
    });
    registerCore(c);
    expect(c.resolve(Tokens.Trainer)).toBeInstanceOf(SgdTrainer);
    expect(c.resolve(Tokens.Backend)).toBe(fake);
    expect(c.resolve(Tokens.DenseEngine)).toBe(fake);
    expect(c.resolve(Tokens.QubitLayer)).toBe(fake);
    expect(made).toBe(1);
    const other = root.createChildContainer();
    registerBackend(other, () => {
      made++;
      return { ...fake };
    });
    expect(other.resolve(Tokens.Backend)).not.toBe(fake);
    expect(made).toBe(2);
  });

  it("core's main entry loads without reflect-metadata or tsyringe (no global side effects)", async () => {
    const { execFileSync } = await import("node:child_process");
    const { fileURLToPath } = await import("node:url");
    const entry = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", `const m = await import(${JSON.stringify(entry)}); console.log(typeof m.SgdTrainer, typeof Reflect.getMetadata)`], { encoding: "utf8" });
    expect(out.trim()).toBe("function undefined");
  });
});
