import { describe, expect, it } from "vitest";
import { SubmissionPacer } from "../../src/providers/submission-pacer.js";
import { parseRetryAfter, retryDelayMs } from "../../src/providers/http-retry.js";

describe("spacing job submissions and retry delays", () => {
  it("lets the first submission out at once and spaces the next ones", async () => {
    let clock = 1_000_000;
    const pacer = new SubmissionPacer(12_000, () => clock);
    await pacer.next(); // no wait
    clock += 5_000;
    const controller = new AbortController();
    const waited = pacer.next(controller.signal).then(
      () => "went out",
      () => "aborted",
    );
    // 7 s of the interval remain, so after 100 ms the submission must still be held back.
    const raced = await Promise.race([waited, new Promise<string>((r) => setTimeout(() => r("still waiting"), 100))]);
    expect(raced).toBe("still waiting");
    controller.abort();
    expect(await waited).toBe("aborted");
    clock += 12_000;
    expect(await Promise.race([pacer.next().then(() => "went out"), new Promise<string>((r) => setTimeout(() => r("held"), 100))])).toBe("went out");
  });

  it("a signal cuts the wait short", async () => {
    const pacer = new SubmissionPacer(60_000);
    await pacer.next();
    const controller = new AbortController();
    const waiting = pacer.next(controller.signal);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
  });

  it("reads Retry-After as seconds or an HTTP date and never waits less than it says", () => {
    const now = Date.parse("2026-11-25T00:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter("Wed, 25 Nov 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter(null, now)).toBeNull();
    const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 60_000 };
    expect(retryDelayMs(policy, 0, "20", now)).toBe(20_000);
    const backoff = retryDelayMs(policy, 3, null, now);
    expect(backoff).toBeGreaterThanOrEqual(800);
    expect(backoff).toBeLessThanOrEqual(1000);
    expect(retryDelayMs(policy, 0, "3600", now)).toBe(60_000);
  });
});
