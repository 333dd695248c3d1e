import { IbmRuntimeError, IBM_KEY_ENV, oneLine, serviceError } from "./ibm-errors.js";
import { fetchWithTimeouts, NetworkTimeoutError, networkTimeoutMs } from "@natural-quantization/core/node";
import { isRetryable, retryDelayMs, sleep, type RetryPolicy } from "./http-retry.js";

/**
 * Bearer tokens for IBM Cloud, exchanged from an API key at IAM
 * (`POST {iam}/identity/token`, form body grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=...).
 * A token is reused until 80% of its lifetime has passed (IBM's SDKs refresh at the same point), so
 * a request never goes out with a token about to expire. The key lives in a private field: it is
 * not enumerable, not printed by console.log or JSON.stringify, and sent only to IAM.
 */
export class IamTokenSource {
  readonly #apiKey: string;
  #token: string | null = null;
  #refreshAt = 0;
  #pending: Promise<string> | null = null;
  /** Token exchanges made so far (for logs and tests). */
  exchanges = 0;

  constructor(
    apiKey: string,
    private readonly iamUrl: string,
    private readonly retry: RetryPolicy,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly now: () => number = Date.now,
    /** Waits of more than a few seconds, and retries; never given the key or a token. */
    private readonly log: (line: string) => void = () => {},
    /** Longest wait for IAM to answer (connecting included); default NQ_NETWORK_TIMEOUT_SECONDS. */
    private readonly timeoutMs: number = networkTimeoutMs(),
  ) {
    this.#apiKey = apiKey;
  }

  /** A valid bearer token, exchanging the key for a new one when the old one is near expiry. */
  async token(signal?: AbortSignal): Promise<string> {
    if (this.#token !== null && this.now() < this.#refreshAt) return this.#token;
    // One exchange at a time, shared by concurrent callers.
    this.#pending ??= this.exchange(signal).finally(() => {
      this.#pending = null;
    });
    return this.#pending;
  }

  /** Forgets the current token (after the service refused it). */
  invalidate(): void {
    this.#token = null;
  }

  private async exchange(signal?: AbortSignal): Promise<string> {
    const url = `${this.iamUrl}/identity/token`;
    const body = new URLSearchParams({ grant_type: "urn:ibm:params:oauth:grant-type:apikey", apikey: this.#apiKey });
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      let json: unknown;
      try {
        response = await fetchWithTimeouts(
          url,
          { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" }, body, signal },
          { what: `IBM Cloud IAM at ${url}`, fetchImpl: this.fetchImpl, timeoutMs: this.timeoutMs, onWait: this.log },
        );
        json = await response.json().catch((e: unknown) => {
          if (e instanceof NetworkTimeoutError) throw e;
          return null;
        });
      } catch (e) {
        // A server that accepted and then said nothing for the whole timeout: waiting again rarely helps.
        if (e instanceof NetworkTimeoutError) throw new IbmRuntimeError(`${e.message} (or IBM_IAM_URL)`, 0);
        if (signal?.aborted || attempt >= this.retry.maxRetries) {
          throw new IbmRuntimeError(`cannot reach IBM Cloud IAM at ${url} (${oneLine((e as Error).message)})`, 0);
        }
        const wait = retryDelayMs(this.retry, attempt, null, this.now());
        this.log(`IBM Cloud IAM: network error (${oneLine((e as Error).message)}), retry ${attempt + 1} of ${this.retry.maxRetries} in ${(wait / 1000).toFixed(1)} s`);
        await sleep(wait, signal);
        continue;
      }
      if (response.ok) return this.accept(json);
      if (isRetryable(response.status) && attempt < this.retry.maxRetries) {
        await sleep(retryDelayMs(this.retry, attempt, response.headers.get("retry-after"), this.now()), signal);
        continue;
      }
      if (response.status >= 500) {
        // IAM itself is failing: the key is not at fault, and a server's text is not shown.
        throw new IbmRuntimeError(`IBM Cloud IAM at ${url} is failing (HTTP ${response.status} after ${attempt} retries); try again later`, response.status);
      }
      const { message, code } = serviceError(json);
      // IAM's message could quote what it was sent: never show the key.
      const shown = message?.split(this.#apiKey).join("[the key]") ?? null;
      throw new IbmRuntimeError(
        `IBM Cloud IAM did not accept the API key (HTTP ${response.status}${code ? ` ${code}` : ""}${shown ? `: ${shown}` : ""}); check ${IBM_KEY_ENV}`,
        response.status,
        code,
      );
    }
  }

  private accept(json: unknown): string {
    const t = (json ?? {}) as { access_token?: unknown; expires_in?: unknown; expiration?: unknown };
    if (typeof t.access_token !== "string" || t.access_token === "") {
      throw new IbmRuntimeError("IBM Cloud IAM answered without an access_token", 200);
    }
    const now = this.now();
    const lifetimeS = typeof t.expires_in === "number" ? t.expires_in : 3600;
    const expiresAt = typeof t.expiration === "number" ? t.expiration * 1000 : now + lifetimeS * 1000;
    this.#token = t.access_token;
    this.#refreshAt = expiresAt - 0.2 * lifetimeS * 1000;
    this.exchanges++;
    return t.access_token;
  }
}
