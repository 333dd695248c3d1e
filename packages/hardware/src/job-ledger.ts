import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "@natural-quantization/core";
import { readJson, writeFileAtomic, writeJsonAtomic } from "@natural-quantization/core/node";

/**
 * One device submission as the ledger knows it. Written before the request is sent (jobId null),
 * again once the provider named the job, and once its result is on disk.
 */
export interface LedgerEntry {
  /** Fingerprint of what was submitted (provider, device and request body): the same work has the same key. */
  readonly key: string;
  /** Unique tag sent with the job, so a job whose creation answer was lost can be found again. */
  readonly tag: string;
  readonly provider: string;
  readonly device: string;
  /** The provider's job id; null while the submission's answer is not known. */
  readonly jobId: string | null;
  readonly submittedAt: string;
  /** Set once the raw result is on disk (`<key>.result.json` beside the entry). */
  readonly resultSaved: boolean;
  /** What the provider reported as used (IBM: usage.quantum_seconds), when known. */
  readonly quantumSeconds?: number;
}

const ENTRY = ".job.json";
const RESULT = ".result.json";

/**
 * Every device job of a run, on disk before anything is decoded from it: its id as soon as the
 * provider gives it, then its raw result as received. A run that stops (a crash, Ctrl-C, a lost
 * connection) is resumed from here without submitting, and so paying for, any job twice.
 * Each file is written atomically and fsynced.
 */
export class JobLedger {
  private constructor(readonly dir: string) {}

  /**
   * Opens the ledger directory. One that already holds jobs is refused unless `resume` is set:
   * its jobs belong to an earlier run, and reusing them must be asked for.
   */
  static open(dir: string, options: { readonly resume: boolean }): JobLedger {
    mkdirSync(dir, { recursive: true });
    const held = readdirSync(dir).filter((f) => f.endsWith(ENTRY)).length;
    if (held > 0 && !options.resume) {
      throw new UserError(`${dir} holds ${held} device job${held === 1 ? "" : "s"} of an earlier run; add --resume to fetch their results instead of paying for them again, or choose another directory`);
    }
    if (held === 0 && options.resume) throw new UserError(`--resume: ${dir} holds no device jobs to resume; drop --resume to start a new run there`);
    return new JobLedger(dir);
  }

  /** The key of a submission: provider, device and the exact request body. */
  static keyOf(provider: string, device: string, body: unknown): string {
    return createHash("sha256").update(`${provider}\n${device}\n${JSON.stringify(body)}`).digest("hex").slice(0, 32);
  }

  static newTag(): string {
    return `nq-${randomBytes(9).toString("base64url")}`;
  }

  entry(key: string): LedgerEntry | null {
    const p = this.path(key, ENTRY);
    return existsSync(p) ? (readJson(p, "device job record") as LedgerEntry) : null;
  }

  /** Records (or updates) a submission; durable when this returns. */
  record(entry: LedgerEntry): void {
    writeJsonAtomic(this.path(entry.key, ENTRY), entry);
  }

  /** Keeps a job's raw result exactly as received, then marks the entry; durable when this returns. */
  saveResult(entry: LedgerEntry, raw: string): LedgerEntry {
    writeFileAtomic(this.path(entry.key, RESULT), raw);
    const saved = { ...entry, resultSaved: true };
    this.record(saved);
    return saved;
  }

  /** The raw result of a job whose result was saved. */
  result(entry: LedgerEntry): string | null {
    if (!entry.resultSaved) return null;
    const p = this.path(entry.key, RESULT);
    return existsSync(p) ? readFileSync(p, "utf8") : null;
  }

  /** Every recorded job, for a summary (ids, usage). */
  entries(): LedgerEntry[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(ENTRY))
      .sort()
      .map((f) => readJson(join(this.dir, f), "device job record") as LedgerEntry);
  }

  private path(key: string, suffix: string): string {
    return join(this.dir, `${key}${suffix}`);
  }
}
