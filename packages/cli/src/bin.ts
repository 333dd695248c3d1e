#!/usr/bin/env node
import { main } from "./main.js";

// A reader that stops early (`nq train --json | head -c 0`) closes the pipe: end quietly, as
// Unix tools do, instead of an EPIPE stack trace. Any other stream error is a real failure.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Not a user error: a bug. Keep the stack trace.
    console.error(e);
    process.exitCode = 1;
  },
);
