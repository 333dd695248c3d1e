import { defineConfig } from "vite";

// Relative asset paths, so the built page works from any directory or URL prefix.
export default defineConfig({
  base: "./",
  worker: { format: "es" },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true },
  server: { headers: { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" } },
});
