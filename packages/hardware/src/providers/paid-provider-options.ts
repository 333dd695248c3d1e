import type { JobLedger } from "../job-ledger.js";
import type { RetryPolicy } from "./http-retry.js";

/** What every provider of a paid vendor service takes besides its device (ibm-runtime, ionq). */
export interface PaidProviderOptions {
  /** Where the key and the service's address are read (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** First status poll delay; later polls back off by 1.5x up to pollMaxMs (defaults 1 s and 30 s). */
  readonly pollInitialMs?: number;
  readonly pollMaxMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Progress lines (submissions, status changes, retries); never contain the key or a token. */
  readonly log?: (line: string) => void;
  readonly fetch?: typeof fetch;
  /**
   * Longest wait for the service to answer (connecting included), or between two chunks of an
   * answer; a server silent that long is given up (default: NQ_NETWORK_TIMEOUT_SECONDS, 30 s).
   */
  readonly timeoutMs?: number;
  /**
   * Where every job id and raw result is kept before it is decoded. A run on a ledger that holds
   * its jobs fetches their results instead of submitting (and paying for) them again.
   */
  readonly ledger?: JobLedger;
  /** Most circuits (Pubs) per job (default: the service's limit). */
  readonly maxPubsPerJob?: number;
  /** Most bytes packed into one job request (default: the provider's); larger work is split, and a 413 splits further. */
  readonly maxBytesPerJob?: number;
  /**
   * Waits before each search for a job whose submission answer was lost (default 2 s, 10 s, 30 s;
   * see LOST_ANSWER_LOOKUP_DELAYS_MS): only if none finds it is the job submitted again.
   */
  readonly lookupDelaysMs?: readonly number[];
}
