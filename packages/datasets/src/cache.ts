import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/** The environment variables the cache location depends on (default: process.env). */
export type CacheEnv = Readonly<Record<string, string | undefined>>;

/**
 * Where downloaded datasets are kept: $NQ_DATA_DIR if set, else $XDG_CACHE_HOME/natural-quantization,
 * else ~/.cache/natural-quantization. Each dataset gets a subdirectory of it.
 */
export function dataCacheDir(env: CacheEnv = process.env): string {
  if (env.NQ_DATA_DIR) return resolve(env.NQ_DATA_DIR);
  // The XDG spec says to ignore a relative XDG_CACHE_HOME.
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".cache");
  return join(base, "natural-quantization");
}
