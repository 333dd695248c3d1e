import type { JobStatus } from "../provider.js";
import { sleep } from "./http-retry.js";

/** A vendor's job as polling sees it. */
export interface PolledJob<J> {
  readonly id: string;
  /** The vendor's name in log lines ("IonQ job 123: Running"). */
  readonly vendor: string;
  /** Reads the job's record from the vendor. */
  readonly fetch: (signal?: AbortSignal) => Promise<J>;
  /** The record's status in this package's terms. */
  readonly statusOf: (job: J) => JobStatus["status"];
  /** The error a failed or cancelled job ends in. */
  readonly ended: (job: J, status: "Failed" | "Cancelled") => Error;
}

/** How often to poll: the first delay, growing 1.5x per poll up to the maximum. */
export interface PollTiming {
  readonly initialMs: number;
  readonly maxMs: number;
}

/**
 * Polls a job until it completes and returns its last record. Each new status is reported once
 * (onStatus and a log line); a failed or cancelled job throws what `ended` makes of it.
 */
export async function pollUntilCompleted<J>(
  job: PolledJob<J>,
  timing: PollTiming,
  log: (line: string) => void,
  signal?: AbortSignal,
  onStatus?: (s: JobStatus) => void,
): Promise<J> {
  let delay = timing.initialMs;
  let last: JobStatus["status"] | null = null;
  for (;;) {
    const record = await job.fetch(signal);
    const status = job.statusOf(record);
    if (status !== last) {
      last = status;
      onStatus?.({ jobId: job.id, status });
      log(`${job.vendor} job ${job.id}: ${status}`);
    }
    if (status === "Completed") return record;
    if (status === "Failed" || status === "Cancelled") throw job.ended(record, status);
    await sleep(delay, signal);
    delay = Math.min(timing.maxMs, delay * 1.5);
  }
}
