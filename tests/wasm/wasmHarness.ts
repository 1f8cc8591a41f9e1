// Shared setup of the WebAssembly kernel tests: one single-threaded kernel instance per file
// (threads have their own test, pool.test.ts), and helpers to move arrays in and out.
import { afterAll, beforeAll } from 'vitest';
import { WasmKernels, type WasmBuffer } from '../../src/engine/wasm/kernels';

export function useWasmKernels(threads = 1): () => WasmKernels {
  let wk: WasmKernels | null = null;
  beforeAll(async () => {
    const { nodePoolThread } = await import('../../src/engine/wasm/nodePoolThread');
    wk = await WasmKernels.create({ threads, spawn: nodePoolThread });
  });
  afterAll(() => wk?.destroy());
  return () => wk!;
}

/** Upload a typed array; read back a Float32Array copy. */
export const put = (wk: WasmKernels, a: ArrayBufferView): WasmBuffer => wk.upload(a);
export const getF32 = (wk: WasmKernels, b: WasmBuffer, n: number): Float32Array => wk.f32(b, n).slice();

/** Bit patterns of f32 values, for bit-exact comparisons that tell -0 from 0 (every NaN as the one quiet NaN: payloads carry nothing). */
export const bits = (a: Float32Array): Uint32Array => {
  const b = new Uint32Array(a.length);
  const f = new Float32Array(b.buffer);
  for (let i = 0; i < a.length; i++) f[i] = a[i];
  for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i])) b[i] = 0x7fc00000;
  return b;
};
