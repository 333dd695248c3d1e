import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, UserError } from "@natural-quantization/core";
import { gateSetCompilers, loadProvider } from "../src/index.js";

/** A provider module as a third party writes it: plain ESM, no imports, every declaration. */
const providerModule = (name: string) => `
export const provider = {
  name: ${JSON.stringify(name)},
  description: "test provider ${name}",
  options: [{ name: "device", value: "name", description: "which device", required: true }],
  targets: { source: "builtin", gateSet: "gates-of-${name}", known: [] },
  capabilities: { format: "qasm2", nativeGatesOnly: false, parameterBindings: false, maxPubsPerJob: 1, maxExecutionsPerJob: 1, maxBytesPerJob: 1, maxShots: 1, noise: false },
  costModel: { unit: "runs", paid: false, confirmAbove: Infinity, description: "free", estimate: () => 0 },
  compilers: [{ name: "gates-of-${name}", description: "none", compile: (c) => c }],
  create: () => { throw new Error("not for running"); },
};
`;

// Loaded exactly like backends: a bare (unscoped) package name from the current directory's
// node_modules, and a path relative to the current directory, not to the hardware package.
describe("loadProvider finds contributed providers by package name and by path from the current directory", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "nq-provider-load-"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "user-project", private: true, type: "module" }));
    const pkg = join(dir, "node_modules", "nq-provider-x");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "nq-provider-x", version: "1.0.0", type: "module", exports: "./index.mjs" }));
    writeFileSync(join(pkg, "index.mjs"), providerModule("x"));
    mkdirSync(join(dir, "lib"));
    writeFileSync(join(dir, "lib", "my-provider.mjs"), providerModule("mine"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("an unscoped package installed in the current directory", async () => {
    const plugin = await loadProvider("nq-provider-x", dir);
    expect(plugin.name).toBe("x");
    expect(plugin.options.map((o) => o.name)).toEqual(["device"]);
    // The gate set it brings is registered on load, so its targets can name it.
    expect(gateSetCompilers().map((c) => c.name)).toContain("gates-of-x");
  });

  it("a path relative to the current directory", async () => {
    const plugin = await loadProvider("./lib/my-provider.mjs", dir);
    expect(plugin.name).toBe("mine");
  });

  it("a missing package or path, or a module without `provider`, is refused in one line that says what to do", async () => {
    await expect(loadProvider("nq-provider-absent", dir)).rejects.toThrow(ConfigError);
    await expect(loadProvider("nq-provider-absent", dir)).rejects.toThrow(/no package nq-provider-absent is installed in .* \(install it there with npm install nq-provider-absent\)\)$/);
    await expect(loadProvider("./lib/absent.mjs", dir)).rejects.toThrow(new UserError(`provider module ${join(dir, "lib", "absent.mjs")} does not exist; check the path (relative paths start from ${dir})`));
    writeFileSync(join(dir, "lib", "empty.mjs"), "export const something = 1;\n");
    await expect(loadProvider("./lib/empty.mjs", dir)).rejects.toThrow(/does not export a provider plugin/);
    await expect(loadProvider("Not A Name!", dir)).rejects.toThrow(ConfigError);
  });
});
