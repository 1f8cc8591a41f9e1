// Vitest global setup: builds the WebAssembly kernels (npm run build:wasm) when they are missing
// or older than wasm/*.ts, once before any test file runs.
// @ts-expect-error plain .mjs script without types
import { buildWasm } from '../../scripts/buildWasm.mjs';

export default async function setup(): Promise<void> {
  await buildWasm({ ifStale: true });
}
