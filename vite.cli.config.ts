// Bundles the Node side (the `zo-studio` CLI and the benchmark) so WGSL `?raw` imports
// resolve exactly as they do in the app. Dependencies stay external (node_modules).
import { defineConfig } from 'vite';
// @ts-expect-error plain .mjs build script without types
import { wasmKernels } from './scripts/viteWasmKernels.mjs';

export default defineConfig({
  plugins: [wasmKernels()],
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'dist-cli',
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    rollupOptions: {
      input: { 'zo-studio': 'src/cli/main.ts', bench: 'scripts/bench.ts', quantReport: 'scripts/quantReport.ts' },
      output: { format: 'es', entryFileNames: '[name].mjs' },
    },
  },
  ssr: { noExternal: [] },
  publicDir: false,
  logLevel: 'warn',
});
