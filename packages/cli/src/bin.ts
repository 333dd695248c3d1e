#!/usr/bin/env node
import { describeCause } from "./files.js";
import { main } from "./main.js";

// A reader that stops early (`nq train --json | head -c 0`) closes the pipe: end quietly, as
// Unix tools do, instead of an EPIPE stack trace. Any other failure to write (a full disk, a
// failing device) means the output is lost: say so in one line and exit 2.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    if (stream === process.stdout) process.stderr.write(`nq: cannot write to standard output: ${describeCause(e)}; the output is incomplete\n`);
    process.exit(2);
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
