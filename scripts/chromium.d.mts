export declare const DEBIAN_CHROMIUM: string;
export declare const CHROMIUM_MISSING_EXIT: number;
export declare class ChromiumMissingError extends Error {}
export declare function chromiumPath(env?: Record<string, string | undefined>, debianPath?: string): string;
export declare function requireChromium(options?: {
  install?: boolean;
  env?: Record<string, string | undefined>;
  debianPath?: string;
  /** Installs Debian's chromium; returns why it failed, or null. */
  installer?: () => string | null;
}): string;
export declare function requireChromiumOrExit(options?: { install?: boolean }): string;
