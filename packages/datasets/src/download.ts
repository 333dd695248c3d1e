import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DataError } from "@natural-quantization/core";
import { fetchWithTimeouts, NetworkTimeoutError, networkTimeoutMs } from "@natural-quantization/core/node";

/** What a download reports while it runs; the CLI prints these. */
export type DownloadEvent =
  | { readonly kind: "progress"; readonly file: string; readonly receivedBytes: number; readonly totalBytes: number | null }
  | { readonly kind: "retry"; readonly file: string; readonly attempt: number; readonly attempts: number; readonly delayMs: number; readonly reason: string }
  | { readonly kind: "done"; readonly file: string; readonly bytes: number }
  /** A wait of more than a few seconds for the server: what is awaited, and when it is given up. */
  | { readonly kind: "wait"; readonly file: string; readonly message: string };

export interface DownloadSpec {
  readonly url: string;
  /** Final path; the bytes go to `${dest}.part` first and are renamed once verified. */
  readonly dest: string;
  /** Expected SHA-256 of the whole file, lower-case hex. */
  readonly sha256: string;
  /** Expected size in bytes, if known. */
  readonly bytes?: number;
}

export interface DownloadOptions {
  readonly onProgress?: (e: DownloadEvent) => void;
  /** Tries per file before giving up (default 5). */
  readonly attempts?: number;
  /** Delay before the first retry; it doubles after each failed try (default 1000 ms). */
  readonly backoffMs?: number;
  /**
   * Longest wait for the server to answer (connecting included) and between two chunks of the
   * file; a wait that ends there counts as a failed try (default: NQ_NETWORK_TIMEOUT_SECONDS, 30 s).
   */
  readonly timeoutMs?: number;
}

/** The mirror could not be reached or kept dropping the connection, after every retry. */
export class DownloadFailedError extends DataError {
  constructor(
    readonly url: string,
    readonly reason: string,
    attempts: number,
  ) {
    super(`cannot download ${url} after ${attempts} attempts (${reason})`);
  }
}

/** The server answered with an error status that retrying will not fix (404, 403, ...). */
export class HttpStatusError extends DataError {
  constructor(
    readonly url: string,
    readonly status: string,
  ) {
    super(`${url} answered ${status}; check the address`);
  }
}

/** A failure worth retrying: the network, a dropped connection, a 5xx answer. */
class TransientError extends Error {}

function reasonOf(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message}: ${cause}` : err.message;
}

/** SHA-256 of a file, streamed so large files are not held in memory twice. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Downloads `spec.url` to `spec.dest`: resumes a partial `.part` file with an HTTP Range
 * request (or starts over when the server ignores it), retries network failures with
 * exponential backoff, checks the SHA-256 and only then renames `.part` to `dest`, so
 * `dest` exists only when complete and verified. A file failing the check is deleted.
 */
export async function downloadVerified(spec: DownloadSpec, options: DownloadOptions = {}): Promise<void> {
  const attempts = options.attempts ?? 5;
  const backoffMs = options.backoffMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? networkTimeoutMs();
  const file = basename(spec.dest);
  const part = `${spec.dest}.part`;
  try {
    mkdirSync(dirname(spec.dest), { recursive: true });
  } catch (e) {
    throw new DataError(`cannot create the cache directory ${dirname(spec.dest)} (${(e as NodeJS.ErrnoException).code}); set NQ_DATA_DIR to a writable directory`);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await fetchInto(spec, part, file, options.onProgress, timeoutMs);
      break;
    } catch (e) {
      if (!(e instanceof TransientError) || attempt >= attempts) {
        if (e instanceof TransientError) throw new DownloadFailedError(spec.url, e.message, attempts);
        throw e;
      }
      const delayMs = backoffMs * 2 ** (attempt - 1);
      options.onProgress?.({ kind: "retry", file, attempt, attempts, delayMs, reason: e.message });
      await sleep(delayMs);
    }
  }
  const size = statSync(part).size;
  const actual = await sha256File(part);
  if (actual !== spec.sha256 || (spec.bytes !== undefined && size !== spec.bytes)) {
    rmSync(part, { force: true });
    throw new DataError(
      `${spec.url}: the downloaded file (${size} bytes) has SHA-256 ${actual}, expected ${spec.sha256}${spec.bytes === undefined ? "" : ` (${spec.bytes} bytes)`}; it was deleted; run again to download it afresh`,
    );
  }
  renameSync(part, spec.dest);
  options.onProgress?.({ kind: "done", file, bytes: size });
}

/** One try: appends the rest of the file to `part`. Throws TransientError for what a retry may fix. */
async function fetchInto(spec: DownloadSpec, part: string, file: string, onProgress: ((e: DownloadEvent) => void) | undefined, timeoutMs: number): Promise<void> {
  let have = existsSync(part) ? statSync(part).size : 0;
  if (spec.bytes !== undefined && have > spec.bytes) {
    rmSync(part);
    have = 0;
  }
  if (spec.bytes !== undefined && have === spec.bytes) return; // complete; the checksum decides
  let res: Response;
  try {
    // identity: the bytes must arrive as stored, or neither the digest nor the Range offsets hold.
    res = await fetchWithTimeouts(
      spec.url,
      { headers: { "accept-encoding": "identity", ...(have > 0 ? { range: `bytes=${have}-` } : {}) } },
      { what: spec.url, timeoutMs, onWait: (message) => onProgress?.({ kind: "wait", file, message }) },
    );
  } catch (e) {
    throw new TransientError(e instanceof NetworkTimeoutError ? `the server did not answer within ${timeoutMs / 1000} s` : reasonOf(e));
  }
  let offset: number;
  if (res.status === 206 && have > 0) {
    const start = /^bytes (\d+)-/.exec(res.headers.get("content-range") ?? "")?.[1];
    if (Number(start) !== have) {
      await res.body?.cancel();
      rmSync(part, { force: true });
      throw new TransientError(`the server resumed at byte ${start ?? "?"} instead of ${have}; starting over`);
    }
    offset = have;
  } else if (res.status === 200) {
    offset = 0;
  } else if (res.status === 416) {
    await res.body?.cancel();
    rmSync(part, { force: true });
    throw new TransientError(`the server refused to resume at byte ${have}; starting over`);
  } else {
    await res.body?.cancel();
    const message = `HTTP ${res.status} ${res.statusText}`.trim();
    if (res.status >= 500 || res.status === 408 || res.status === 429) throw new TransientError(message);
    throw new HttpStatusError(spec.url, message);
  }
  const length = Number(res.headers.get("content-length"));
  const totalBytes = Number.isFinite(length) && res.headers.has("content-length") ? offset + length : (spec.bytes ?? null);
  if (!res.body) throw new TransientError("the response has no body");
  let handle: FileHandle;
  try {
    handle = await open(part, offset === 0 ? "w" : "a");
  } catch (e) {
    await res.body.cancel();
    throw new DataError(`cannot write ${part} (${(e as NodeJS.ErrnoException).code}); set NQ_DATA_DIR to a writable directory`);
  }
  let received = offset;
  try {
    const reader = res.body.getReader();
    onProgress?.({ kind: "progress", file, receivedBytes: received, totalBytes });
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (e instanceof NetworkTimeoutError) throw new TransientError(`the server sent nothing for ${timeoutMs / 1000} s after ${received} bytes`);
        throw new TransientError(`the connection dropped after ${received} bytes (${reasonOf(e)})`);
      }
      if (chunk.done) break;
      try {
        await handle.write(chunk.value);
      } catch (e) {
        await reader.cancel();
        throw new DataError(`cannot write ${part} (${(e as NodeJS.ErrnoException).code}); free some space or set NQ_DATA_DIR to another directory`);
      }
      received += chunk.value.length;
      onProgress?.({ kind: "progress", file, receivedBytes: received, totalBytes });
    }
  } finally {
    await handle.close();
  }
  if (totalBytes !== null && received < totalBytes) {
    throw new TransientError(`the connection closed after ${received} of ${totalBytes} bytes`);
  }
}
