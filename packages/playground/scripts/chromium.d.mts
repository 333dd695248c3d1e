import type { ChildProcess } from "node:child_process";
import type { BrowserContext } from "playwright-core";
export declare const CHROMIUM: string;
export declare const CLI: string;
export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}
export declare function launchChromium(): Promise<Browser>;
export declare function startPlayground(): Promise<{ url: string; child: ChildProcess }>;
