// The WebAssembly kernel module (AssemblyScript, built by scripts/buildWasm.mjs): every export
// below is called through src/engine/wasm/. Memory is managed by the TypeScript side (one linear
// memory, its own allocator): these functions take byte addresses and never allocate.
export { decode_rows } from './decode';
export { matmul } from './matmul';
export { gaussian_range } from './rng';
export { zo_perturb, zo_probe, zo_update, zo_mixed_axpy, zo_mixed_sumsq } from './zo';
export { rmsnorm, swiglu, add_inplace, bias_rows, embedding, column_sumsq } from './elementwise';
export { rope } from './rope';
export { attention, attention_decode } from './attention';
export { logprob } from './logprob';
export { sparse_delta } from './adapters';
export { exp_f32 } from './mathv';

/** First byte the TypeScript allocator may hand out (after this module's static data). */
export function heap_base(): usize {
  return __heap_base;
}
