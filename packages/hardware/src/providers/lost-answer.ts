import { ConfigError } from "@natural-quantization/core";
import { sleep } from "./http-retry.js";

/**
 * Waits before each search for a job whose submission answer was lost (2 s, 10 s, 30 s): a
 * request that timed out on the client may still reach the service after a search made at once,
 * and a job found only after it was submitted again would be paid for twice.
 */
export const LOST_ANSWER_LOOKUP_DELAYS_MS: readonly number[] = [2000, 10_000, 30_000];

/** Checks a provider's lookupDelaysMs option. */
export function lookupDelays(delays: readonly number[] | undefined): readonly number[] {
  const d = delays ?? LOST_ANSWER_LOOKUP_DELAYS_MS;
  if (d.length === 0 || d.some((x) => !(x >= 0))) throw new ConfigError("lookupDelaysMs", JSON.stringify(d), "one or more waits in milliseconds >= 0");
  return d;
}

/**
 * After a submission whose outcome is unknown: searches for the job by its tag after each wait,
 * and returns its id, or null when no search found it (it was not created). Says what it does.
 */
export async function findLostJob(
  find: () => Promise<string | null>,
  delays: readonly number[],
  what: { readonly tag: string; readonly service: string; readonly log: (line: string) => void },
  signal?: AbortSignal,
): Promise<string | null> {
  for (const wait of delays) {
    await sleep(wait, signal);
    const found = await find();
    if (found) return found;
  }
  what.log(`no ${what.service} job carries ${what.tag} after ${delays.length} searches over ${delays.reduce((a, b) => a + b, 0) / 1000} s: it was not created; submitting it again`);
  return null;
}
