// Compiling and instantiating the kernel module (wasm/*.ts, built by `npm run build:wasm`): once
// per process per variant, over a memory the caller creates (shared for the worker pool).
import { KERNELS_WASM_SHARED, KERNELS_WASM_SINGLE } from './kernelsBinary';

/** The exports of wasm/index.ts (addresses are byte offsets into the memory, as numbers). */
export interface KernelExports {
  heap_base(): number;
  decode_rows(fmt: number, data: number, scales: number, row0: number, count: number, cols: number, out: number): void;
  matmul(fmt: number, x: number, w: number, scales: number, y: number, rows: number, n: number, k: number, alpha: number, accumulate: number, n0: number, n1: number, panel: number): void;
  gaussian_range(seed: number, step: number, j: number, stream: number, out: number, e0: number, e1: number): void;
  zo_perturb(theta: number, seed: number, step: number, j: number, stream: number, a: number, e0: number, e1: number): void;
  zo_probe(theta: number, snapshot: number, seed: number, step: number, j: number, stream: number, a: number, e0: number, e1: number): void;
  zo_update(opt: number, theta: number, m: number, v: number, seed: number, step: number, stream: number, grads: number, q: number, c: number, restoreJ: number, restoreA: number, scalars: number, e0: number, e1: number): void;
  zo_mixed_axpy(theta: number, seed: number, stream: number, terms: number, nTerms: number, alpha: number, e0: number, e1: number): void;
  zo_mixed_sumsq(seed: number, stream: number, terms: number, nTerms: number, e0: number, e1: number, out: number): void;
  rmsnorm(x: number, weight: number, y: number, dim: number, eps: number, r0: number, r1: number): void;
  swiglu(gate: number, up: number, out: number, e0: number, e1: number): void;
  add_inplace(dst: number, src: number, e0: number, e1: number): void;
  bias_rows(y: number, bias: number, width: number, r0: number, r1: number): void;
  embedding(fmt: number, table: number, scales: number, vocab: number, hidden: number, ids: number, out: number, r0: number, r1: number): void;
  column_sumsq(x: number, rows: number, inDim: number, out: number, c0: number, c1: number): void;
  rope(qk: number, rows: number, seqLen: number, heads: number, headDim: number, invFreq: number, posOffset: number, t0: number, t1: number, cs: number): void;
  attention(q: number, k: number, v: number, out: number, seqLen: number, heads: number, kvHeads: number, hd: number, window: number, p0: number, p1: number, p: number): void;
  attention_decode(q: number, kCache: number, vCache: number, out: number, qLen: number, pos: number, maxLen: number, heads: number, kvHeads: number, hd: number, window: number, p0: number, p1: number, p: number): void;
  logprob(logits: number, vocab: number, targets: number, candidates: number, out: number, p0: number, p1: number): void;
  exp_f32(x: number, out: number, count: number): void;
  sparse_delta(x: number, rowStart: number, col: number, base: number, value: number, y: number, rows: number, inDim: number, outDim: number, n0: number, n1: number): void;
}

export type KernelName = Exclude<keyof KernelExports, 'heap_base'>;

/** Every kernel in one fixed order: the pool's job names a kernel by its index here. */
export const KERNEL_NAMES: readonly KernelName[] = [
  'decode_rows', 'matmul', 'gaussian_range', 'zo_perturb', 'zo_probe', 'zo_update', 'zo_mixed_axpy', 'zo_mixed_sumsq',
  'rmsnorm', 'swiglu', 'add_inplace', 'bias_rows', 'embedding', 'column_sumsq', 'rope', 'attention',
  'attention_decode', 'logprob', 'sparse_delta', 'exp_f32',
];

/** Pages the module declares as its minimum (scripts/buildWasm.mjs --initialMemory). */
export const INITIAL_PAGES = 17;
export const MAXIMUM_PAGES = 65536;

const compiled = new Map<boolean, Promise<WebAssembly.Module>>();

function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const s = atob(base64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The compiled module: over shared memory (threads) or plain memory. */
export function kernelModule(shared: boolean): Promise<WebAssembly.Module> {
  let m = compiled.get(shared);
  if (!m) {
    m = WebAssembly.compile(bytesOf(shared ? KERNELS_WASM_SHARED : KERNELS_WASM_SINGLE)).catch((e: unknown) => {
      compiled.delete(shared);
      throw new Error(`the WebAssembly kernels need WebAssembly SIMD${shared ? ' and threads' : ''}, which this runtime lacks (${String(e)}); use a current browser (Chrome 91+, Firefox 89+, Safari 16.4+) or Node 20+`);
    });
    compiled.set(shared, m);
  }
  return m;
}

export async function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<KernelExports> {
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort: () => { throw new Error('wasm kernel abort'); } } });
  return instance.exports as unknown as KernelExports;
}

/** Whether this context can share memory with workers (a browser page must be cross-origin isolated). */
export function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const g = globalThis as { crossOriginIsolated?: boolean };
  return g.crossOriginIsolated !== false;
}
