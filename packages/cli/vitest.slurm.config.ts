import { defineConfig } from "vitest/config";

/** The integration test against a real Slurm (scripts/slurm-local.sh start). */
export default defineConfig({
  test: { include: ["test/slurm.test.ts"], testTimeout: 600_000, hookTimeout: 120_000 },
});
