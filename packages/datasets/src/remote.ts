import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DataError, type Dataset } from "@natural-quantization/core";
import { dataCacheDir, type CacheEnv } from "./cache.js";
import { DownloadFailedError, downloadVerified, HttpStatusError, type DownloadOptions } from "./download.js";
import { IDX_FILE_NAMES, loadIdxDataset } from "./idx.js";

export type IdxRole = keyof typeof IDX_FILE_NAMES;

export interface RemoteFile {
  /** File name on the mirror and in the cache. */
  readonly name: string;
  readonly bytes: number;
  /** SHA-256 of the file as served, lower-case hex. */
  readonly sha256: string;
}

/** An IDX dataset that is downloaded on first use into the cache directory. */
export interface RemoteDataset {
  /** Dataset name, also the cache subdirectory. */
  readonly name: string;
  /** Mirror address the file names are appended to. */
  readonly baseUrl: string;
  /** Environment variable that replaces baseUrl (another mirror, or a test server). */
  readonly baseUrlEnv: string;
  /** Where a user can get the files by hand. */
  readonly homepage: string;
  readonly files: Readonly<Record<IdxRole, RemoteFile>>;
}

export interface RemoteOptions {
  /** Environment for NQ_DATA_DIR, XDG_CACHE_HOME and the mirror override (default: process.env). */
  readonly env?: CacheEnv;
}

export type FetchRemoteOptions = RemoteOptions & DownloadOptions;

const ROLES = Object.keys(IDX_FILE_NAMES) as IdxRole[];

export function remoteDatasetDir(spec: RemoteDataset, env: CacheEnv = process.env): string {
  return join(dataCacheDir(env), spec.name);
}

export function remoteBaseUrl(spec: RemoteDataset, env: CacheEnv = process.env): string {
  const url = env[spec.baseUrlEnv] || spec.baseUrl;
  return url.endsWith("/") ? url : `${url}/`;
}

/** Names of the dataset's files that are not (yet) in `dir`. */
export function missingRemoteFiles(spec: RemoteDataset, dir: string): string[] {
  return ROLES.map((r) => spec.files[r].name).filter((name) => !existsSync(join(dir, name)));
}

function fileList(spec: RemoteDataset): string {
  return ROLES.map((r) => spec.files[r].name).join(", ");
}

/**
 * Downloads the files missing from the cache (each verified by SHA-256 before it is kept)
 * and returns the cache directory. Files already there are not fetched again.
 */
export async function fetchRemoteDataset(spec: RemoteDataset, options: FetchRemoteOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const dir = remoteDatasetDir(spec, env);
  const base = remoteBaseUrl(spec, env);
  for (const role of ROLES) {
    const file = spec.files[role];
    const dest = join(dir, file.name);
    if (existsSync(dest)) continue;
    try {
      await downloadVerified({ url: `${base}${file.name}`, dest, sha256: file.sha256, bytes: file.bytes }, options);
    } catch (e) {
      if (e instanceof HttpStatusError) throw new DataError(`${e.message} (${spec.baseUrlEnv} overrides the mirror ${spec.baseUrl})`);
      if (!(e instanceof DownloadFailedError)) throw e;
      throw new DataError(
        `cannot download ${spec.name} from ${base} (${e.reason}); if this machine is offline, put ${fileList(spec)} (from ${base} or ${spec.homepage}) in ${dir}, or point NQ_DATA_DIR at a directory whose ${spec.name}/ holds them`,
      );
    }
  }
  return dir;
}

/** Checks a cached file's size and SHA-256 (it may have been put there by hand). */
function verifyCached(spec: RemoteDataset, path: string, file: RemoteFile): void {
  const size = statSync(path).size;
  const sha256 = size === file.bytes ? createHash("sha256").update(readFileSync(path)).digest("hex") : "";
  if (sha256 !== file.sha256) {
    throw new DataError(
      `${path} is not the official ${spec.name} file (${size} bytes${sha256 ? `, SHA-256 ${sha256}` : ""}; expected ${file.bytes} bytes, SHA-256 ${file.sha256}); delete it so it is downloaded again, or replace it with ${spec.baseUrl}${file.name}`,
    );
  }
}

/**
 * Loads a downloaded dataset from the cache, synchronously; it must have been fetched
 * (fetchRemoteDataset, or `ensureDataset`) or put there by hand. trainSize/testSize take the
 * first rows (default: all).
 */
export function loadRemoteDataset(spec: RemoteDataset, sizes: { trainSize?: number; testSize?: number } = {}, options: RemoteOptions = {}): Dataset {
  const env = options.env ?? process.env;
  const dir = remoteDatasetDir(spec, env);
  const missing = missingRemoteFiles(spec, dir);
  if (missing.length > 0) {
    throw new DataError(
      `${spec.name} is not in ${dir} yet (missing ${missing.join(", ")}); the nq commands download it on first use (ensureDataset("${spec.name}") in code), or put ${fileList(spec)} (from ${remoteBaseUrl(spec, env)} or ${spec.homepage}) there by hand`,
    );
  }
  const path = (role: IdxRole): string => {
    const p = join(dir, spec.files[role].name);
    verifyCached(spec, p, spec.files[role]);
    return p;
  };
  return loadIdxDataset({
    trainImages: path("trainImages"),
    trainLabels: path("trainLabels"),
    testImages: path("testImages"),
    testLabels: path("testLabels"),
    trainSize: sizes.trainSize,
    testSize: sizes.testSize,
    name: spec.name,
  });
}
