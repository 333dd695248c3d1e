import { defineConfig } from "vitest/config";

/** Tests of the workspace's own scripts (test:all's prerequisites, the tracked-files guard). */
export default defineConfig({
  test: { root: import.meta.dirname, include: ["test/**/*.test.mjs"], testTimeout: 120_000 },
});
