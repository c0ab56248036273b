// embed.js's size budget: the <lantern-generator> element, bundled and
// minified exactly as the build emits it (embed.config.ts, bundleEmbedScript:
// Vite's library build; esbuild is not installed with Vite 8), then gzipped.
// It must stay one self-contained module, with nothing of the app in it.
import { gzipSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { bundleEmbedScript } from '../embed.config.ts';
import { EMBED_JS_BUDGET_GZIP_BYTES } from '../src/embed/element/budget';

test('embed.js is one self-contained module under its gzip budget', async () => {
  const code = await bundleEmbedScript();
  const raw = Buffer.byteLength(code);
  const gzip = gzipSync(code, { level: 9 }).byteLength;
  console.log(
    `embed.js | raw ${raw} B | gzip ${gzip} B | budget ${EMBED_JS_BUDGET_GZIP_BYTES} B gzip (${Math.round((100 * gzip) / EMBED_JS_BUDGET_GZIP_BYTES)}%)`,
  );

  expect(gzip).toBeLessThan(EMBED_JS_BUDGET_GZIP_BYTES);
  // No static or dynamic imports left: a teacher's page loads this one file and nothing else.
  expect(code).not.toMatch(/(^|[;}\s])import\s*[\s{*"'(]|\bimport\s*\(/);
  expect(code).not.toContain('solid-js');
  expect(code).not.toContain('onnxruntime');
  // It is the element: importing it defines <lantern-generator>.
  expect(code).toContain('lantern-generator');
  expect(code).toContain('customElements');
});
