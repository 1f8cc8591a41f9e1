// Vite plugin: builds the WebAssembly kernels (scripts/buildWasm.mjs) when they are missing or
// stale, before Vite resolves any module, so every Vite run (dev server, app build, CLI bundle,
// the Playwright server, bin/zo-studio.mjs's first-run build) has src/engine/wasm/kernelsBinary.js.
import { buildWasm } from './buildWasm.mjs';

export function wasmKernels() {
  return {
    name: 'zo-wasm-kernels',
    async buildStart() {
      await buildWasm({ ifStale: true, log: () => {} });
    },
  };
}
