// Bundles the GPU-machine attention bench (attention-dawn.ts, with the
// kernel's WGSL inlined through `?raw`) into one Node.js module, because that
// machine has Node.js but no npm registry. Used by bench/gpu/pack.sh.
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    ssr: 'bench/gpu/attention-dawn.ts',
    outDir: '.gpu/bench',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: { output: { entryFileNames: 'attention-dawn.mjs' } },
  },
  ssr: { noExternal: true },
});
