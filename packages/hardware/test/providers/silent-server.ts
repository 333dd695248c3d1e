import { createServer, type Socket } from "node:net";
import { afterAll, beforeAll } from "vitest";

/** A TCP server on 127.0.0.1 that accepts every connection, reads it, and never answers. */
export interface SilentServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  close(): void;
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on("data", () => {});
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** A silent server started before the tests of the enclosing suite and closed after them; read `url` inside a test. */
export function useSilentServer(): { readonly url: string } {
  let server: SilentServer | null = null;
  beforeAll(async () => {
    server = await startSilentServer();
  });
  afterAll(() => server?.close());
  return {
    get url() {
      if (!server) throw new Error("the silent server is read before its suite started");
      return server.url;
    },
  };
}
