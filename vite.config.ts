// The app build: React, the engine in an ES-module worker, WGSL imported as strings (`?raw`,
// built into Vite), and a relative base so `dist/` works from any static host or sub-path.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
// @ts-expect-error plain .mjs build script without types
import { wasmKernels } from './scripts/viteWasmKernels.mjs';

export default defineConfig({
  base: './',
  // No SPA fallback: a missing file must be a 404 (the loader probes optional files such as
  // model.safetensors.index.json), exactly as on a plain static host.
  appType: 'mpa',
  plugins: [react(), wasmKernels()],
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: {
    target: 'es2022',
    outDir: 'dist',
    // The demo model ships as a ~16 MB file in public/; chunks themselves stay small.
    chunkSizeWarningLimit: 1500,
    // Two pages: the app, and a WebGPU self-test that checks the forward pass against golden.json.
    rollupOptions: { input: { main: 'index.html', selftest: 'selftest.html' } },
  },
});
