import { UserError } from "../errors.js";

/** The environment variable that sets how long a network wait may last, in seconds. */
export const NETWORK_TIMEOUT_ENV = "NQ_NETWORK_TIMEOUT_SECONDS";
/** Default: connecting and the answer's headers, or the gap between two chunks of a body. */
export const DEFAULT_NETWORK_TIMEOUT_SECONDS = 30;
/** A wait longer than this is announced (what it waits for, and until when). */
export const WAIT_NOTICE_MS = 5000;

/** The network timeout in milliseconds, from NQ_NETWORK_TIMEOUT_SECONDS (default 30 s). */
export function networkTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[NETWORK_TIMEOUT_ENV];
  if (raw === undefined || raw === "") return DEFAULT_NETWORK_TIMEOUT_SECONDS * 1000;
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0) throw new UserError(`invalid ${NETWORK_TIMEOUT_ENV}: ${JSON.stringify(raw)} (allowed: seconds > 0, e.g. 30)`);
  return s * 1000;
}

/** A server that did not answer in time: retrying at once rarely helps, so callers give up. */
export class NetworkTimeoutError extends UserError {
  constructor(
    readonly what: string,
    readonly seconds: number,
    readonly phase: "answer" | "data",
  ) {
    super(
      `${what} ${phase === "answer" ? "did not answer" : "sent no data"} within ${formatSeconds(seconds)}; check the network and the address, or allow longer waits with ${NETWORK_TIMEOUT_ENV}`,
    );
  }
}

const formatSeconds = (s: number) => `${Number(s.toPrecision(3))} s`;

export interface TimedFetchOptions {
  /** What is waited for, in messages: "IBM Cloud IAM at https://iam.cloud.ibm.com/identity/token". */
  readonly what: string;
  /** Longest wait for the connection and the answer's headers, and between two chunks of the body (default networkTimeoutMs()). */
  readonly timeoutMs?: number;
  /** Told once when a wait has lasted WAIT_NOTICE_MS: what it waits for and when it gives up. */
  readonly onWait?: (line: string) => void;
  readonly fetchImpl?: typeof fetch;
}

/**
 * fetch with timeouts. Node's fetch waits up to 5 minutes for the headers and again for each
 * body chunk; here a server that accepts the connection and then says nothing is given up after
 * `timeoutMs` (connecting included), and so is a body that stalls for that long between chunks.
 * The caller's own signal still aborts the request. Throws NetworkTimeoutError on a timeout.
 */
export async function fetchWithTimeouts(url: string, init: RequestInit, options: TimedFetchOptions): Promise<Response> {
  const timeoutMs = options.timeoutMs ?? networkTimeoutMs();
  const controller = new AbortController();
  const signal = init.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
  const timeout = (phase: "answer" | "data") => new NetworkTimeoutError(options.what, timeoutMs / 1000, phase);
  const noticeAfter = (done: string) =>
    options.onWait && timeoutMs > WAIT_NOTICE_MS
      ? setTimeout(() => options.onWait!(`waiting for ${options.what} to ${done} (${WAIT_NOTICE_MS / 1000} s so far; giving up after ${formatSeconds(timeoutMs / 1000)})`), WAIT_NOTICE_MS)
      : undefined;
  const answerTimer = setTimeout(() => controller.abort(timeout("answer")), timeoutMs);
  const answerNotice = noticeAfter("answer");
  let response: Response;
  try {
    response = await (options.fetchImpl ?? fetch)(url, { ...init, signal });
  } catch (e) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw e;
  } finally {
    clearTimeout(answerTimer);
    clearTimeout(answerNotice);
  }
  const source = response.body;
  if (!source) return response;
  const reader = source.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(out) {
      const timer = setTimeout(() => controller.abort(timeout("data")), timeoutMs);
      const notice = noticeAfter("send more data");
      try {
        const chunk = await reader.read();
        if (chunk.done) out.close();
        else out.enqueue(chunk.value);
      } catch (e) {
        out.error(controller.signal.aborted ? controller.signal.reason : e);
      } finally {
        clearTimeout(timer);
        clearTimeout(notice);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
