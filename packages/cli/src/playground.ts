// `nq playground`: serves the built browser playground on 127.0.0.1 with the cross-origin
// isolation headers (COOP/COEP) that SharedArrayBuffer, and so sim-wasm's threads, need.
import { createReadStream, existsSync, realpathSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import type { Command } from "commander";
import { UserError } from "@natural-quantization/core";
import { parseInteger } from "@natural-quantization/core";
import { writeStdout } from "./output.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".bin": "application/octet-stream",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

/** Headers of every response: cross-origin isolated, and never a stale page after a rebuild. */
export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-cache",
} as const;

/** The built page: the dist directory of the @natural-quantization/playground package (a dependency of this one). */
export function findPlaygroundDir(): string {
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve("@natural-quantization/playground/package.json")), "dist");
  } catch {
    throw new UserError("the package @natural-quantization/playground is not installed beside the CLI; install it (npm install @natural-quantization/playground) or pass --dir <built page>");
  }
  if (!existsSync(join(dir, "index.html"))) {
    throw new UserError(`the playground is not built (${dir} has no index.html); run \`npx --yes pnpm@10.34.9 --filter @natural-quantization/playground build\` or pass --dir <built page>`);
  }
  return dir;
}

export interface PlaygroundServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** The real path of `file` when it exists and lies inside `root` (itself a real path), else null. */
function insideRoot(root: string, file: string): string | null {
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return null;
  }
  return real === root || real.startsWith(root + sep) ? real : null;
}

/** Whether a host name or address reaches only this machine. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Serves `dir` (static files, GET and HEAD only) on host:port (port 0: any free port). */
export async function servePlayground(dir: string, port: number, host = "127.0.0.1"): Promise<PlaygroundServer> {
  if (!existsSync(join(resolve(dir), "index.html"))) throw new UserError(`--dir ${dir} has no index.html; pass the playground's built dist directory`);
  // Files are served only from inside the real folder: a symbolic link that leads out is not followed.
  const root = realpathSync(resolve(dir));
  const server = createServer((req, res) => {
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      res.writeHead(400).end("bad path");
      return;
    }
    const file = insideRoot(root, normalize(join(root, path.endsWith("/") ? `${path}index.html` : path)));
    if (file === null || !statSync(file).isFile()) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Content-Length": statSync(file).size });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      fail(
        e.code === "EADDRINUSE"
          ? new UserError(`port ${port} on ${host} is in use; pass another --port (0 picks a free one)`)
          : e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND" || e.code === "EAI_AGAIN"
            ? new UserError(`cannot listen on --host ${host}: it is not an address of this machine (${e.code}); use 127.0.0.1 (this machine only) or an address of one of its interfaces`)
            : e.code === "EACCES"
              ? new UserError(`cannot listen on port ${port}: permission denied (EACCES); ports below 1024 need privileges, pass --port 8080 or another`)
              : e,
      ),
    );
    server.listen(port, host, ok);
  });
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://${host}:${actual}/`,
    server,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

export function registerPlaygroundCommand(program: Command): void {
  program
    .command("playground")
    .description("serve the browser playground (train and look inside qubit-neuron networks) on 127.0.0.1, cross-origin isolated so it uses all cores")
    .option("--port <n>", "port (0: any free port)", "8080")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--dir <path>", "the built page (default: the playground package's dist)")
    .action(async (o: { port: string; host: string; dir?: string }) => {
      const port = parseInteger("port", o.port, 0, 65535);
      const served = await servePlayground(o.dir ?? findPlaygroundDir(), port, o.host);
      if (!isLoopback(o.host)) {
        process.stderr.write(`nq playground: warning: listening on ${o.host}, not only on this machine: anyone who can reach it on port ${served.url.split(":").at(-1)!.replace("/", "")} can open the playground; use --host 127.0.0.1 to keep it local\n`);
      }
      writeStdout(`nq playground: ${served.url}\n`);
      // Serve until interrupted.
      await new Promise<void>((done) => {
        const stop = () => void served.close().then(done);
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
