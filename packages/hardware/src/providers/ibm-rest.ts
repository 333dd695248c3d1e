import type { IamTokenSource } from "./iam-token.js";
import type { IbmEndpoints } from "./ibm-config.js";
import { errorForResponse, IbmRuntimeError, oneLine, OutcomeUnknownError, PayloadTooLargeError } from "./ibm-errors.js";
import { fetchWithTimeouts, NetworkTimeoutError } from "@natural-quantization/core/node";
import { isRetryable, retryDelayMs, sleep, type RetryPolicy } from "./http-retry.js";
import { causeOf, neverSent, parseJson } from "./http-faults.js";

export interface IbmRestOptions {
  readonly endpoints: IbmEndpoints;
  readonly tokens: IamTokenSource;
  readonly apiVersion: string;
  readonly retry: RetryPolicy;
  readonly fetchImpl?: typeof fetch;
  readonly now?: () => number;
  /** Progress lines (retries, long waits); never given a key or a token. */
  readonly log?: (line: string) => void;
  /** Longest wait for an answer (connecting included) or between two chunks of it; default NQ_NETWORK_TIMEOUT_SECONDS. */
  readonly timeoutMs?: number;
}

/**
 * JSON over HTTP to IBM Quantum's REST API: every request carries `Authorization: Bearer`,
 * `Service-CRN` and `IBM-API-Version`; 429 and 5xx answers and network errors are retried with
 * exponential backoff (Retry-After honoured); one 401 is retried with a fresh token; anything
 * else becomes a one-line IbmRuntimeError.
 */
export class IbmRestClient {
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: IbmRestOptions) {
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.now = options.now ?? Date.now;
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>("GET", path, undefined, signal);
  }

  post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>("POST", path, body, signal);
  }

  patch<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>("PATCH", path, body, signal);
  }

  /**
   * A POST that must reach the service at most once (a job submission, which is paid for). It is
   * retried only where it provably was not accepted: the connection was never made, 429, 401;
   * a broken connection after sending, or a 5xx answer, throws OutcomeUnknownError instead, and
   * 413 throws PayloadTooLargeError.
   */
  postOnce<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>("POST", path, body, signal, true);
  }

  private async request<T>(method: "GET" | "POST" | "PATCH", path: string, body: unknown, signal?: AbortSignal, once = false): Promise<T> {
    const { endpoints, tokens, retry } = this.options;
    const url = `${endpoints.quantumUrl}${path}`;
    const what = `IBM Quantum ${method} ${path}`;
    let refreshedAfter401 = false;
    for (let attempt = 0; ; attempt++) {
      const token = await tokens.token(signal);
      const headers: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        "Service-CRN": endpoints.serviceCrn,
        "IBM-API-Version": this.options.apiVersion,
        Accept: "application/json",
      };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      let response: Response;
      let text: string;
      try {
        response = await fetchWithTimeouts(
          url,
          { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal },
          { what: `IBM Quantum (${method} ${url})`, fetchImpl: this.fetchImpl, timeoutMs: this.options.timeoutMs, onWait: this.options.log },
        );
        text = await response.text();
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        // A server that accepted and then said nothing for the whole timeout: waiting again rarely
        // helps. A submission may have been accepted meanwhile: its outcome is unknown.
        if (e instanceof NetworkTimeoutError) {
          if (once) throw new OutcomeUnknownError(`${what}: ${e.message}`, 0);
          throw new IbmRuntimeError(`${e.message} (or IBM_QUANTUM_URL)`, 0);
        }
        if (once && !neverSent(e)) throw new OutcomeUnknownError(`${what}: the connection broke after the request was sent (${oneLine(causeOf(e))})`, 0);
        if (attempt >= retry.maxRetries) throw new IbmRuntimeError(`cannot reach IBM Quantum at ${url} (${oneLine((e as Error).message)})`, 0);
        const wait = retryDelayMs(retry, attempt, null, this.now());
        this.options.log?.(`${what}: network error, retrying in ${(wait / 1000).toFixed(1)} s`);
        await sleep(wait, signal);
        continue;
      }
      const json = parseJson(text);
      if (response.ok) return json as T;
      if (response.status === 401 && !refreshedAfter401) {
        refreshedAfter401 = true;
        tokens.invalidate();
        attempt--;
        continue;
      }
      if (once && response.status === 413) throw new PayloadTooLargeError(`${what}: the request (${requestBytes(body)} bytes) is too large for the service (HTTP 413)`, 413);
      if (once && response.status >= 500) throw new OutcomeUnknownError(`${what}: HTTP ${response.status} after the request was sent`, response.status);
      if (isRetryable(response.status) && attempt < retry.maxRetries) {
        const wait = retryDelayMs(retry, attempt, response.headers.get("retry-after"), this.now());
        this.options.log?.(`${what}: HTTP ${response.status}, retry ${attempt + 1} of ${retry.maxRetries} in ${(wait / 1000).toFixed(1)} s`);
        await sleep(wait, signal);
        continue;
      }
      throw errorForResponse(what, response.status, json);
    }
  }
}

function requestBytes(body: unknown): number {
  return Buffer.byteLength(JSON.stringify(body));
}
