// Types of kernelsBinary.js, which `npm run build:wasm` (scripts/buildWasm.mjs) generates from
// wasm/*.ts: the two builds of the kernel module, base64.
/** SIMD + threads, memory imported as shared (env.memory): the worker pool's module. */
export const KERNELS_WASM_SHARED: string;
/** SIMD, memory imported unshared: pages that are not cross-origin isolated. */
export const KERNELS_WASM_SINGLE: string;
