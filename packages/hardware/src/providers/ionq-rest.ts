import { ConfigError, UserError } from "@natural-quantization/core";
import { fetchWithTimeouts, NetworkTimeoutError } from "@natural-quantization/core/node";
import { isRetryable, retryDelayMs, sleep, type RetryPolicy } from "./http-retry.js";
import { causeOf, neverSent, parseJson } from "./http-faults.js";

/**
 * HTTP to IonQ's Quantum Cloud API v0.4, as its published reference describes it (docs.ionq.com,
 * "API v0.4"; the OpenAPI document api.ionq.co/v0.4/api-docs, vendored as openapi.json in IonQ's
 * ionq-core-python): JSON bodies, `Authorization: apiKey <key>`, errors as
 * `{ "statusCode", "error", "message" }`, and for `POST /jobs` the answers 400, 413 (body over
 * 10 MB), 429, 500, 502 and 503.
 */

export const IONQ_KEY_ENV = "IONQ_API_KEY";
export const IONQ_URL_ENV = "IONQ_API_URL";
/** The API root, version included. */
export const IONQ_DEFAULT_URL = "https://api.ionq.co/v0.4";

/**
 * Reads the key from IONQ_API_KEY only (never from a file or an argument) and the base URL from
 * IONQ_API_URL (default IONQ_DEFAULT_URL, version included). Plain http is accepted only for
 * 127.0.0.1 / localhost, so the key never travels unencrypted.
 */
export function ionqCredentialsFromEnv(env: NodeJS.ProcessEnv): { apiKey: string; baseUrl: string } {
  const apiKey = env[IONQ_KEY_ENV]?.trim() ?? "";
  if (apiKey === "") throw new UserError(`${IONQ_KEY_ENV} is not set; export an IonQ API key in the environment (it is read from nowhere else)`);
  const raw = env[IONQ_URL_ENV]?.trim() || IONQ_DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(IONQ_URL_ENV, raw, `an absolute URL with the API version, such as ${IONQ_DEFAULT_URL}`);
  }
  const local = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) {
    throw new ConfigError(IONQ_URL_ENV, raw, "an https:// URL (plain http only for 127.0.0.1 or localhost)");
  }
  return { apiKey, baseUrl: raw.replace(/\/+$/, "") };
}

/** A failure reported by IonQ's API (or on the way to it), as one line a user can act on. */
export class IonqError extends UserError {
  constructor(
    message: string,
    /** HTTP status, or 0 when it came from a job's state or the network. */
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * A submission (POST /jobs, which is paid for) that may or may not have reached IonQ: the
 * connection broke after it was sent, it timed out, or a server error answered it. The job must be
 * looked up before anything is submitted again.
 */
export class IonqOutcomeUnknownError extends IonqError {}

/** IonQ refused a request as too large (HTTP 413): nothing was accepted, a smaller one may be. */
export class IonqPayloadTooLargeError extends IonqError {}

export interface IonqRestOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly retry: RetryPolicy;
  readonly fetchImpl?: typeof fetch;
  /** Progress lines (retries, long waits); never given the key. */
  readonly log?: (line: string) => void;
  /** Longest wait for an answer (connecting included) or between two chunks of it. */
  readonly timeoutMs?: number;
}

/**
 * JSON over HTTP to IonQ: every request carries `Authorization: apiKey <key>`; 429 and 5xx answers
 * and network errors are retried with exponential backoff (Retry-After honoured), except for
 * submissions (postOnce); anything else becomes a one-line IonqError. Server text is shown with
 * the key blanked out, should a server ever echo it.
 */
export class IonqRestClient {
  readonly #apiKey: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: IonqRestOptions) {
    this.#apiKey = options.apiKey;
    this.fetchImpl = options.fetchImpl ?? fetch;
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>("GET", path, undefined, signal, false);
  }

  put<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>("PUT", path, body, signal, false);
  }

  /**
   * A POST that must reach IonQ at most once (a job submission). Retried only where it provably
   * was not accepted: the connection was never made, or 429 (rate limited before any work);
   * a broken connection after sending, a timeout or a 5xx throws IonqOutcomeUnknownError, and 413
   * IonqPayloadTooLargeError.
   */
  postOnce<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>("POST", path, body, signal, true);
  }

  /** Server or network text with the key blanked out. */
  shown(text: string): string {
    return oneLine(text.split(this.#apiKey).join("[the key]"));
  }

  private async request<T>(method: "GET" | "POST" | "PUT", path: string, body: unknown, signal: AbortSignal | undefined, once: boolean): Promise<T> {
    const { baseUrl, retry } = this.options;
    const url = `${baseUrl}${path}`;
    const what = `IonQ ${method} ${path}`;
    const headers: Record<string, string> = { Authorization: `apiKey ${this.#apiKey}`, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      let text: string;
      try {
        response = await fetchWithTimeouts(url, { method, headers, body: payload, signal }, { what: `IonQ (${method} ${url})`, fetchImpl: this.fetchImpl, timeoutMs: this.options.timeoutMs, onWait: this.options.log });
        text = await response.text();
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        if (e instanceof NetworkTimeoutError) {
          if (once) throw new IonqOutcomeUnknownError(`${what}: ${e.message}`, 0);
          throw new IonqError(`${e.message} (or ${IONQ_URL_ENV})`, 0);
        }
        if (once && !neverSent(e)) throw new IonqOutcomeUnknownError(`${what}: the connection broke after the request was sent (${this.shown(causeOf(e))})`, 0);
        if (attempt >= retry.maxRetries) throw new IonqError(`cannot reach IonQ at ${url} (${this.shown((e as Error).message)}); check the network or ${IONQ_URL_ENV}`, 0);
        const wait = retryDelayMs(retry, attempt, null, Date.now());
        this.options.log?.(`${what}: network error, retrying in ${(wait / 1000).toFixed(1)} s`);
        await sleep(wait, signal);
        continue;
      }
      if (response.ok) return (text === "" ? null : parseJson(text)) as T;
      const status = response.status;
      if (once && status === 413) throw new IonqPayloadTooLargeError(`${what}: the request (${Buffer.byteLength(payload ?? "")} bytes) is too large for IonQ (HTTP 413)`, 413);
      if (once && status >= 500) throw new IonqOutcomeUnknownError(`${what}: HTTP ${status} after the request was sent`, status);
      if (isRetryable(status) && attempt < retry.maxRetries) {
        const wait = retryDelayMs(retry, attempt, response.headers.get("retry-after"), Date.now());
        this.options.log?.(`${what}: HTTP ${status}, retry ${attempt + 1} of ${retry.maxRetries} in ${(wait / 1000).toFixed(1)} s`);
        await sleep(wait, signal);
        continue;
      }
      throw this.errorFor(what, status, text);
    }
  }

  private errorFor(what: string, status: number, text: string): IonqError {
    const body = parseJson(text);
    const message = typeof body === "object" && body !== null && typeof (body as { message?: unknown }).message === "string" ? this.shown((body as { message: string }).message) : null;
    const detail = message ? `: ${message}` : "";
    if (status === 401 || status === 403) {
      return new IonqError(`IonQ refused the API key (HTTP ${status}${detail}); check ${IONQ_KEY_ENV} (a key from cloud.ionq.com with access to this backend)`, status);
    }
    return new IonqError(`${what} failed (HTTP ${status}${detail})`, status);
  }
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 300);
}
