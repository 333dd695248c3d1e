import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The HTTP plumbing the vendor test servers share: each request recorded as it arrived (so tests
 * can count what a client sent, and what it would have been billed for), answered as JSON, and
 * failures injected per route. The vendors' own shapes (routes, error bodies) stay in each server.
 */

/** A request as the server saw it, and the status it answered. */
export interface RecordedRequest<R extends string> {
  readonly method: string;
  readonly path: string;
  readonly route: R;
  readonly query: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** What the server answered. */
  status: number;
}

/** The next requests on `route` fail with `status` (and optional Retry-After and body). */
export interface InjectedFailure<R extends string> {
  readonly route: R;
  readonly status: number;
  readonly retryAfter?: string;
  readonly body?: unknown;
  /** How many consecutive requests fail (default 1). */
  readonly times?: number;
}

/** Answers the request with a JSON payload (nothing if undefined), recording the status. */
export type Send = (status: number, payload: unknown, headers?: Record<string, string>) => void;

/** Reads a request's body, records it in `requests`, and returns how to answer it. */
export async function receive<R extends string>(
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
  routeOf: (method: string, path: string) => R,
  requests: RecordedRequest<R>[],
): Promise<{ readonly url: URL; readonly route: R; readonly body: string; readonly send: Send }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  const url = new URL(req.url ?? "/", origin);
  const method = req.method ?? "GET";
  const route = routeOf(method, url.pathname);
  const record: RecordedRequest<R> = { method, path: url.pathname, route, query: url.search, headers: { ...req.headers }, body, status: 0 };
  requests.push(record);
  const send: Send = (status, payload, headers = {}) => {
    record.status = status;
    if (res.destroyed) return;
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(payload === undefined ? "" : JSON.stringify(payload));
  };
  return { url, route, body, send };
}

/** Failures waiting to be injected, consumed one request at a time. */
export class FailureQueue<R extends string> {
  private readonly pending: { failure: InjectedFailure<R>; left: number }[] = [];

  push(failure: InjectedFailure<R>): void {
    this.pending.push({ failure, left: failure.times ?? 1 });
  }

  /** Answers with the next failure injected on this route and returns true, or returns false. */
  answer(route: R, send: Send, errorBody: (status: number, message: string) => unknown): boolean {
    const injected = this.pending.find((f) => f.failure.route === route && f.left > 0);
    if (!injected) return false;
    injected.left--;
    const { status, retryAfter, body } = injected.failure;
    send(status, body ?? errorBody(status, `injected failure ${status}`), retryAfter ? { "Retry-After": retryAfter } : {});
    return true;
  }
}
