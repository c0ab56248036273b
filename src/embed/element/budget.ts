// The size budget of embed.js (the <lantern-generator> element, one
// self-contained ES module that a teacher's page loads from the Lantern
// origin). Checked by test/embed-element-size.node.test.ts on the minified
// bundle, gzipped. The element is a thin messenger to embed.html: if it
// grows past this, something that belongs in the embed (or a dependency)
// has crept into it.

/** 6 KiB gzipped. */
export const EMBED_JS_BUDGET_GZIP_BYTES = 6 * 1024;
