// The app build: React, the engine in an ES-module worker, WGSL imported as strings (`?raw`,
// built into Vite), and a relative base so `dist/` works from any static host or sub-path.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
// @ts-expect-error plain .mjs build script without types
import { wasmKernels } from './scripts/viteWasmKernels.mjs';

/**
 * Cross-origin isolation (SharedArrayBuffer, so the CPU backend's WASM kernels run on several
 * threads). The dev server and preview send these; a static host must send them too (README).
 * credentialless rather than require-corp: cross-origin fetches (the Hub, LLM endpoints, the
 * rephrase panel's no-cors reachability probe) keep working without CORP headers on their side.
 */
const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'credentialless' };

export default defineConfig({
  base: './',
  // No SPA fallback: a missing file must be a 404 (the loader probes optional files such as
  // model.safetensors.index.json), exactly as on a plain static host.
  appType: 'mpa',
  plugins: [react(), wasmKernels()],
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173, headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', port: 4173, headers: ISOLATION_HEADERS },
  build: {
    target: 'es2022',
    outDir: 'dist',
    // The demo model ships as a ~16 MB file in public/; chunks themselves stay small.
    chunkSizeWarningLimit: 1500,
    // Two pages: the app, and a WebGPU self-test that checks the forward pass against golden.json.
    rollupOptions: { input: { main: 'index.html', selftest: 'selftest.html' } },
  },
});
