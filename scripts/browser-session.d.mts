import type { Browser, Page } from 'playwright-core';

export declare const ROOT: string;
export declare const CHROMIUM_ARGS: string[];
export declare function startAppServer(options?: { logLevel?: 'info' | 'warn' | 'error' | 'silent' }): Promise<{ url: string; close: () => Promise<void> }>;
export declare function launchBrowser(extraArgs?: string[]): Promise<Browser>;
export declare function openLanternPage(browser: Browser, url: string, backend: string, prepare?: (page: Page) => Promise<unknown>): Promise<Page>;
