// What a failed or odd HTTP exchange tells a client that must never pay twice: whether the request
// provably never left (only then may a submission be sent again), and what to say about it.

/** Connection failures that happen before a request is sent: nothing reached the service. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

/** True when fetch failed before sending anything (the service cannot have accepted the request). */
export function neverSent(e: unknown): boolean {
  const cause = (e as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === "string" && NOT_SENT.has(cause.code);
}

/** The code or message of a fetch failure's cause, for a one-line error. */
export function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  return String(cause?.code ?? cause?.message ?? (e as Error).message);
}

/** A response body as JSON: null when empty, `{ message: text }` when it is not JSON. */
export function parseJson(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
