/// <reference types="vite-plugin-pwa/vanillajs" />

/** The app's version (package.json), set by vite.config.ts's `define`. */
declare const __LANTERN_VERSION__: string;
