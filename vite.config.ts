import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import solid from 'vite-plugin-solid';
import { DEPLOYMENT_CONFIG_PATH, embedBuild } from './embed.config.ts';
import { contentSecurityPolicy, progressiveWebApp } from './pwa.config.ts';

const MANIFEST_DIR = fileURLToPath(new URL('./models-manifest/', import.meta.url));
/** `lantern-tiny.json` is a manifest; `lantern-tiny.report.json` and README.md are not. */
const MANIFEST_FILE = /^([a-z0-9-]+)\.json$/;

/**
 * Serves each `models-manifest/<id>.json` at `/models/<id>.json` (dev server)
 * and writes it to `dist/models/<id>.json` (build), beside the model's files
 * that `public/models/<id>/` provides. The manifest's shard URLs
 * (`<id>/<file>`) resolve against its own URL, so the two must sit together;
 * models-manifest/ stays the one source (the exporter writes it there).
 */
function modelManifests(): Plugin {
  const manifests = (): string[] => readdirSync(MANIFEST_DIR).filter((name) => MANIFEST_FILE.test(name));
  return {
    name: 'lantern:model-manifests',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const match = /^\/models\/([a-z0-9-]+\.json)$/.exec((req.url ?? '').split('?')[0] ?? '');
        const name = match?.[1];
        if (name === undefined || !manifests().includes(name)) return next();
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('Cache-Control', 'no-cache');
        res.end(readFileSync(MANIFEST_DIR + name));
      });
    },
    generateBundle() {
      for (const name of manifests()) {
        this.emitFile({ type: 'asset', fileName: `models/${name}`, source: readFileSync(MANIFEST_DIR + name) });
      }
    },
  };
}

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  plugins: [solid(), modelManifests(), ...embedBuild(), ...progressiveWebApp(), ...contentSecurityPolicy()],
  // The deployer's lantern.config.json, or the file LANTERN_CONFIG names (embed.config.ts): the app imports it by a relative path.
  resolve: { alias: [{ find: /^(?:\.{1,2}\/)+lantern\.config\.json$/, replacement: DEPLOYMENT_CONFIG_PATH }] },
  // Shown in the page's footer, so a person can tell which version runs (after "A new version is ready").
  define: { __LANTERN_VERSION__: JSON.stringify(version) },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // The app, the embed (embed.html: the generator alone, for an iframe) and the embed's docs page; embed.js is emitted by embed.config.ts.
    rollupOptions: { input: { main: 'index.html', embed: 'embed.html', 'embed-demo': 'embed-demo.html' } },
  },
});
