import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How the test server treats one file. */
export interface ServedFile {
  bytes: Uint8Array;
  /** Drop the connection after sending this many body bytes, on the first `dropTimes` requests. */
  dropAfter?: number;
  dropTimes?: number;
  /** Answer with this status (no body) on the first `statusTimes` requests. */
  status?: number;
  statusTimes?: number;
  /** Always send the whole file with 200, as a server without Range support does. */
  ignoreRange?: boolean;
  /** Accept the request and never answer, on the first `silentTimes` requests. */
  silent?: boolean;
  silentTimes?: number;
  /** Send this many body bytes, then nothing (the connection stays open), on the first request. */
  stallAfter?: number;
}

export interface Request {
  readonly path: string;
  readonly range: string | undefined;
  readonly encoding: string | undefined;
}

/** A local HTTP server on 127.0.0.1 that serves files by name, honouring `Range: bytes=N-`. */
export class TestServer {
  readonly requests: Request[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(files: Record<string, ServedFile>): Promise<TestServer> {
    const served = new Map<string, number>();
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname).slice(1);
      self.requests.push({ path, range: req.headers.range, encoding: req.headers["accept-encoding"] });
      const f = files[path];
      if (!f) {
        res.writeHead(404).end();
        return;
      }
      const n = served.get(path) ?? 0;
      served.set(path, n + 1);
      if (f.silent && n < (f.silentTimes ?? Infinity)) return;
      if (f.status !== undefined && n < (f.statusTimes ?? Infinity)) {
        res.writeHead(f.status).end();
        return;
      }
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
      const start = m && !f.ignoreRange ? Number(m[1]) : 0;
      if (start > f.bytes.length) {
        res.writeHead(416, { "content-range": `bytes */${f.bytes.length}` }).end();
        return;
      }
      const body = f.bytes.subarray(start);
      const headers: Record<string, string> = { "content-length": String(body.length), "accept-ranges": "bytes" };
      if (start > 0) headers["content-range"] = `bytes ${start}-${f.bytes.length - 1}/${f.bytes.length}`;
      res.writeHead(start > 0 ? 206 : 200, headers);
      if (f.stallAfter !== undefined && n === 0) {
        res.write(body.subarray(0, f.stallAfter));
        return;
      }
      if (f.dropAfter !== undefined && n < (f.dropTimes ?? 1)) {
        // Send part of the body, give the client time to read it, then cut the connection:
        // the client sees a response shorter than its Content-Length.
        res.write(body.subarray(0, f.dropAfter), () => setTimeout(() => res.socket?.destroy(), 200));
        return;
      }
      res.end(body);
    };
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const self = new TestServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return self;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A port on 127.0.0.1 where nothing listens (it was free a moment ago). */
export async function closedPortUrl(): Promise<string> {
  const s = await TestServer.start({});
  const url = s.url;
  await s.close();
  return url;
}
