import { defineConfig } from "vitest/config";

export default defineConfig({
  // The Slurm integration test needs a running cluster: `npm run test:slurm` (vitest.slurm.config.ts).
  test: { include: ["test/**/*.test.ts"], exclude: ["test/slurm.test.ts", "**/node_modules/**"], testTimeout: 120_000, hookTimeout: 120_000 },
});
