// The embed's build and serving, for vite.config.ts (README, "Embedding in
// another site"; why: ARCHITECTURE.md, "Embedding"):
// - embed.js, the <lantern-generator> element, as one self-contained ES
//   module at the root of the build (a teacher's page loads it from the
//   Lantern origin, or copies the one file to its own site), bundled apart
//   from the app so it shares no chunk with it;
// - embed.html's Content-Security-Policy with frame-ancestors: 'self' and
//   the deployer's embed.allowedOrigins (lantern.config.json). Only a header
//   can carry frame-ancestors, so `vite preview` sends it (pwa.config.ts; a
//   host of the build must send the same: README), and the service worker keeps it, as
//   precached responses keep their headers. embed.html also checks its
//   parent's origin itself (src/embed/frame-check.ts) for hosts that send
//   no header;
// - embed.js with Access-Control-Allow-Origin: * (a module script from
//   another origin needs CORS).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin, type Rolldown } from 'vite';
import { deploymentConfig } from './src/deployment/config.ts';
import { CONTENT_SECURITY_POLICY } from './workers/service-worker/policy.ts';

export const EMBED_ELEMENT_ENTRY = fileURLToPath(new URL('./src/embed/element/lantern-generator.ts', import.meta.url));
export const EMBED_SCRIPT = 'embed.js';

/**
 * The deployer's configuration: `LANTERN_CONFIG` (a path) when set, else
 * lantern.config.json at the root. vite.config.ts aliases the app's import
 * of it to the same file, so the page and the headers agree.
 */
const asked = process.env['LANTERN_CONFIG'];
export const DEPLOYMENT_CONFIG_PATH =
  asked === undefined || asked === '' ? fileURLToPath(new URL('./lantern.config.json', import.meta.url)) : resolve(process.cwd(), asked);

/** embed.html's policy: the app's, and who may frame it. A broken configuration allows only 'self'. */
export function embedContentSecurityPolicy(configPath: string = DEPLOYMENT_CONFIG_PATH): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch {
    parsed = null;
  }
  const { config } = deploymentConfig(parsed);
  return `${CONTENT_SECURITY_POLICY}; frame-ancestors ${["'self'", ...config.embed.allowedOrigins].join(' ')}`;
}

/** embed.js: the element and what it imports, in one minified ES module (Vite's library build, apart from the app's config). */
export async function bundleEmbedScript(): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: true, target: 'es2022', lib: { entry: EMBED_ELEMENT_ENTRY, formats: ['es'], fileName: 'embed' } },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunks = outputs.flatMap((o) => o.output).filter((o) => o.type === 'chunk');
  if (chunks.length !== 1) throw new Error(`embed.js should bundle to one file; the build made ${chunks.length}.`);
  return chunks[0]!.code;
}

/** embed.html, with or without a query: the page whose policy carries frame-ancestors. */
export const isEmbedPage = (url: string | undefined): boolean => /^\/embed\.html(\?|$)/.test(url ?? '');

const isEmbedScript = (url: string | undefined): boolean => (url ?? '').split('?')[0] === `/${EMBED_SCRIPT}`;

export function embedBuild(): Plugin[] {
  return [
    {
      name: 'lantern:embed-script',
      async generateBundle() {
        this.emitFile({ type: 'asset', fileName: EMBED_SCRIPT, source: await bundleEmbedScript() });
      },
      configureServer(server) {
        server.middlewares.use((req, res, next) => {
          if (!isEmbedScript(req.url)) return next();
          bundleEmbedScript().then(
            (code) => {
              res.setHeader('Content-Type', 'text/javascript');
              res.setHeader('Access-Control-Allow-Origin', '*');
              res.end(code);
            },
            (error: unknown) => next(error),
          );
        });
      },
      configurePreviewServer(server) {
        server.middlewares.use((req, res, next) => {
          if (isEmbedScript(req.url)) res.setHeader('Access-Control-Allow-Origin', '*');
          next();
        });
      },
    },
  ];
}
