import { defineConfig } from 'vite';

// A sandboxed preload cannot `require` our modules, so it is bundled into one CommonJS file with
// only `electron` left external.
export default defineConfig({
  build: {
    outDir: 'out/preload',
    emptyOutDir: true,
    target: 'node22',
    minify: false,
    sourcemap: false,
    lib: { entry: 'main/preload/preload.ts', formats: ['cjs'], fileName: () => 'preload.cjs' },
    rollupOptions: { external: ['electron'] },
  },
});
