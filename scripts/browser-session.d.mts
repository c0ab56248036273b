import type { Browser } from 'playwright-core';

export declare const ROOT: string;
export declare const CHROMIUM_ARGS: string[];
export declare function startAppServer(options?: { logLevel?: 'info' | 'warn' | 'error' | 'silent' }): Promise<{ url: string; close: () => Promise<void> }>;
export declare function launchBrowser(): Promise<Browser>;
