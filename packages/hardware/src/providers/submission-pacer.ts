import { sleep } from "./http-retry.js";

/**
 * Keeps job submissions at least `intervalMs` apart. IBM Quantum rate-limits job creation (about
 * five per minute per instance), so submitting faster only earns 429 answers.
 */
export class SubmissionPacer {
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Waits until the next submission may go out, then claims the slot. */
  async next(signal?: AbortSignal): Promise<void> {
    const wait = this.last + this.intervalMs - this.now();
    if (wait > 0) await sleep(wait, signal);
    this.last = this.now();
  }
}
