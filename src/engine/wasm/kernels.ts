// The WebAssembly SIMD kernels behind one object: their memory and allocator (heap.ts), the
// worker pool when threads are available (pool.ts), and one method per kernel family with the
// shapes and conventions of the GPU kernels and their CPU references (src/engine/cpu). Tensors
// are WasmBuffers in the kernels' memory: allocate them once (alloc / upload), read them through
// f32() / u32() views, free them when done. Sources of the kernels: wasm/*.ts. Usage: tests/wasm/*
// and the CPU backend (src/engine/backends/cpu/wasmKernels.ts).
import type { ZoStepScalars } from '../defs/zoConfig';
import type { MixTerm } from '../defs/zoMix';
import type { OptimizerName } from '../api';
import { WasmHeap, type WasmBuffer } from './heap';
import { FORMAT_CODE, weightDataBytes, weightShapeProblem, type WasmWeight } from './formats';
import { canShareMemory, INITIAL_PAGES, instantiateKernels, KERNEL_NAMES, kernelModule, MAXIMUM_PAGES, type KernelExports, type KernelName } from './module';
import { blobWorker, WasmPool, type SpawnThread, type Slices } from './pool';
import type { StorageFormat } from '../gpu/tensor';

export type { WasmBuffer } from './heap';
export type { WasmWeight } from './formats';

/** Weight rows decoded per panel (wasm/matmul.ts PANEL): the matmul's thread grain. */
const PANEL = 16;
/**
 * Below this many multiply-adds (or element operations) a call runs on the calling thread alone:
 * about 15 us of one thread's work, the order of a futex wake and join of the pool.
 */
const MIN_PARALLEL_WORK = 1 << 19;

const OPT_CODE: Record<OptimizerName, number> = { 'zo-sgd': 0, 'zo-sgd-cons': 0, 'zo-sgd-sign': 1, 'zo-sgd-momentum': 2, 'zo-adam': 3 };

export interface WasmKernelOptions {
  /** Threads including the caller's (default 1). More than 1 needs shared memory and a way to start workers. */
  threads?: number;
  /** How to start a pool thread: default a Blob-URL Worker where `Worker` exists; Node: nodePoolThread. */
  spawn?: SpawnThread;
}

/** A parameter range for the ZO passes: elements [offset, offset + count) of `theta`, z of `stream`. */
export interface WasmParamRange {
  theta: WasmBuffer;
  offset: number;
  count: number;
  stream: number;
  /** Weight decay applies (not norms and biases). */
  decay: boolean;
  /** Perturbation scale (1 = MeZO). */
  scale?: number;
}

export class WasmKernels {
  /** Grow-only buffers reused by every call (thread scratch, LoRA's intermediate, ZOPrO's term
   *  table), so no kernel call allocates. */
  private readonly reused = new Map<'scratch' | 'lora' | 'terms', WasmBuffer>();
  private small: WasmBuffer;

  private constructor(
    readonly memory: WebAssembly.Memory,
    readonly heap: WasmHeap,
    private readonly k: KernelExports,
    private readonly pool: WasmPool | null,
  ) {
    this.small = heap.alloc(256);
  }

  /** Threads a kernel call is split over (1 without shared memory or workers). */
  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  static async create(options: WasmKernelOptions = {}): Promise<WasmKernels> {
    const spawn = options.spawn ?? (typeof Worker !== 'undefined' ? blobWorker : null);
    const wanted = Math.max(1, Math.floor(options.threads ?? 1));
    const threaded = wanted > 1 && spawn !== null && canShareMemory();
    const memory = createMemory(threaded);
    const module = await kernelModule(threaded);
    const exports = await instantiateKernels(module, memory);
    const heap = new WasmHeap(memory, exports.heap_base());
    const pool = threaded ? await WasmPool.start(wanted, module, memory, heap, KERNEL_NAMES, spawn!) : null;
    return new WasmKernels(memory, heap, exports, pool);
  }

  destroy(): void {
    this.pool?.destroy();
  }

  // ---- memory ----

  alloc(bytes: number): WasmBuffer {
    return this.heap.alloc(bytes);
  }

  allocF32(count: number): WasmBuffer {
    return this.heap.alloc(count * 4);
  }

  free(buf: WasmBuffer): void {
    this.heap.release(buf);
  }

  /** A copy of `data` in the kernels' memory. */
  upload(data: ArrayBufferView): WasmBuffer {
    const buf = this.heap.alloc(data.byteLength);
    this.bytes(buf).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return buf;
  }

  /** Write `data` at the start of `buf`. */
  write(buf: WasmBuffer, data: ArrayBufferView, byteOffset = 0): void {
    if (byteOffset + data.byteLength > buf.bytes) throw new Error(`wasm write: ${data.byteLength} bytes at ${byteOffset} overflow a ${buf.bytes}-byte buffer`);
    new Uint8Array(this.memory.buffer, buf.ptr + byteOffset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  /** Views (valid until the memory next grows: take a new one after allocating). */
  f32(buf: WasmBuffer, count = buf.bytes >> 2): Float32Array {
    return new Float32Array(this.memory.buffer, buf.ptr, count);
  }

  u32(buf: WasmBuffer, count = buf.bytes >> 2): Uint32Array {
    return new Uint32Array(this.memory.buffer, buf.ptr, count);
  }

  bytes(buf: WasmBuffer): Uint8Array {
    return new Uint8Array(this.memory.buffer, buf.ptr, buf.bytes);
  }

  /**
   * Views of `buf` that stay valid across memory growth (growing replaces memory.buffer, and
   * detaches the old one when the memory is not shared): each getter re-makes its view only
   * when the buffer changed.
   */
  views(buf: WasmBuffer): WasmViews {
    return new WasmViews(this.memory, buf);
  }

  /** dst[dstAt ..] = src[srcAt ..], `count` f32 (or u32) words; offsets in words. Overlap is fine. */
  copy(dst: WasmBuffer, dstAt: number, src: WasmBuffer, srcAt: number, count: number): void {
    need(dst, (dstAt + count) * 4, 'copy dst');
    need(src, (srcAt + count) * 4, 'copy src');
    const words = new Uint32Array(this.memory.buffer);
    const from = (src.ptr >> 2) + srcAt;
    words.copyWithin((dst.ptr >> 2) + dstAt, from, from + count);
  }

  /** dst[i, :] = src[indices[i], :] for i < count (src/engine/cpu/logprob.ts gatherRowsRef). */
  gatherRows(src: WasmBuffer, dim: number, indices: ArrayLike<number>, count: number, dst: WasmBuffer): void {
    for (let i = 0; i < count; i++) this.copy(dst, i * dim, src, indices[i] * dim, dim);
  }

  /** kCache[b * maxLen + pos + i, :] = k[b * qLen + i, :] and v likewise (src/engine/cpu/attentionDecode.ts kvAppendRef). */
  kvAppend(k: WasmBuffer, v: WasmBuffer, kCache: WasmBuffer, vCache: WasmBuffer, batch: number, qLen: number, pos: number, maxLen: number, rowWidth: number): void {
    if (pos + qLen > maxLen) throw new Error(`kvAppend: positions up to ${pos + qLen} exceed the cache length ${maxLen}`);
    for (let b = 0; b < batch; b++) {
      this.copy(kCache, (b * maxLen + pos) * rowWidth, k, b * qLen * rowWidth, qLen * rowWidth);
      this.copy(vCache, (b * maxLen + pos) * rowWidth, v, b * qLen * rowWidth, qLen * rowWidth);
    }
  }

  /** A weight from its GPU-format bytes (and q8/q4 scales). */
  uploadWeight(format: StorageFormat, rows: number, cols: number, data: ArrayBufferView, scales?: Float32Array): WasmWeight {
    const problem = weightShapeProblem(format, cols);
    if (problem) throw new Error(`wasm weight: a ${rows}x${cols} ${format} weight cannot be used: ${problem}`);
    const need = weightDataBytes(format, rows, cols);
    if (data.byteLength < need) throw new Error(`wasm weight: ${format} ${rows}x${cols} needs ${need} bytes, got ${data.byteLength}`);
    const quant = format === 'q8' || format === 'q4';
    if (quant && (!scales || scales.length < (rows * cols) / 32)) throw new Error(`wasm weight: ${format} ${rows}x${cols} needs ${(rows * cols) / 32} scales`);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, need);
    return { format, rows, cols, data: this.upload(bytes), scales: quant ? this.upload(scales!.subarray(0, (rows * cols) / 32)) : undefined };
  }

  freeWeight(w: WasmWeight): void {
    this.free(w.data);
    if (w.scales) this.free(w.scales);
  }

  // ---- dispatch ----

  /** Per-thread scratch of `bytes` each (one buffer, grown as needed). */
  private scratch(bytes: number): { buffer: WasmBuffer; stride: number } {
    const stride = Math.ceil(Math.max(16, bytes) / 16) * 16;
    return { buffer: this.reusable('scratch', stride * this.threads), stride };
  }

  /** The reused buffer `name`, at least `bytes` long (regrown, never shrunk). */
  private reusable(name: 'scratch' | 'lora' | 'terms', bytes: number): WasmBuffer {
    let buf = this.reused.get(name);
    if (!buf || buf.bytes < bytes) {
      if (buf) this.heap.release(buf);
      buf = this.heap.alloc(bytes);
      this.reused.set(name, buf);
    }
    return buf;
  }

  /** name(...args, lo, hi[, scratch]) over [0, total), split across threads when the work is large enough. */
  private dispatch(name: KernelName, args: number[], s: Slices, work: number): void {
    const fn = this.k[name] as (...a: number[]) => void;
    if (!this.pool || work < MIN_PARALLEL_WORK || s.total <= s.grain) {
      if (s.scratch) fn(...args, 0, s.total, s.scratch.buffer.ptr);
      else fn(...args, 0, s.total);
      return;
    }
    this.pool.run(KERNEL_NAMES.indexOf(name), args, s, (lo, hi, scratch) => (s.scratch ? fn(...args, lo, hi, scratch) : fn(...args, lo, hi)));
  }

  // ---- kernels ----

  /** y[rows, n] (=|+=) alpha x[rows, k] w^T, w [n = w.rows, k = w.cols] (src/engine/cpu/matmul.ts). */
  matmul(x: WasmBuffer, w: WasmWeight, y: WasmBuffer, rows: number, opts: { alpha?: number; accumulate?: boolean } = {}): void {
    const n = w.rows, k = w.cols;
    need(x, rows * k * 4, 'matmul x');
    need(y, rows * n * 4, 'matmul y');
    const panel = this.scratch(w.format === 'f32' ? 16 : PANEL * k * 4);
    this.dispatch('matmul', [FORMAT_CODE[w.format], x.ptr, w.data.ptr, w.scales?.ptr ?? 0, y.ptr, rows, n, k, opts.alpha ?? 1, opts.accumulate ? 1 : 0],
      { total: n, grain: PANEL, scratch: panel }, rows * n * k);
  }

  /** Rows [row0, row0 + count) of a weight decoded to f32 into out. */
  decodeRows(w: WasmWeight, row0: number, count: number, out: WasmBuffer): void {
    need(out, count * w.cols * 4, 'decodeRows out');
    if (row0 < 0 || row0 + count > w.rows) throw new Error(`decodeRows: rows ${row0}..${row0 + count} of ${w.rows}`);
    this.k.decode_rows(FORMAT_CODE[w.format], w.data.ptr, w.scales?.ptr ?? 0, row0, count, w.cols, out.ptr);
  }

  /** y = rmsnorm(x) * weight over [rows, dim] (src/engine/cpu/rmsnorm.ts). */
  rmsnorm(x: WasmBuffer, weight: WasmBuffer, y: WasmBuffer, rows: number, dim: number, eps: number): void {
    need(x, rows * dim * 4, 'rmsnorm x');
    need(y, rows * dim * 4, 'rmsnorm y');
    this.dispatch('rmsnorm', [x.ptr, weight.ptr, y.ptr, dim, eps], { total: rows, grain: 1 }, rows * dim * 4);
  }

  /** out = silu(gate) * up over `count` elements (src/engine/cpu/swiglu.ts). */
  swiglu(gate: WasmBuffer, up: WasmBuffer, out: WasmBuffer, count: number): void {
    need(out, count * 4, 'swiglu out');
    this.dispatch('swiglu', [gate.ptr, up.ptr, out.ptr], { total: count, grain: 64 }, count * 16);
  }

  addInplace(dst: WasmBuffer, src: WasmBuffer, count: number): void {
    need(dst, count * 4, 'addInplace dst');
    this.dispatch('add_inplace', [dst.ptr, src.ptr], { total: count, grain: 64 }, count);
  }

  biasRows(y: WasmBuffer, bias: WasmBuffer, rows: number, width: number): void {
    need(y, rows * width * 4, 'biasRows y');
    this.dispatch('bias_rows', [y.ptr, bias.ptr, width], { total: rows, grain: 1 }, rows * width);
  }

  /** out[r, :] = table[ids[r], :] (ids u32; ids >= vocab give zeros) (src/engine/cpu/embedding.ts). */
  embedding(table: WasmWeight, ids: WasmBuffer, rows: number, out: WasmBuffer): void {
    need(out, rows * table.cols * 4, 'embedding out');
    this.dispatch('embedding', [FORMAT_CODE[table.format], table.data.ptr, table.scales?.ptr ?? 0, table.rows, table.cols, ids.ptr, out.ptr],
      { total: rows, grain: 1 }, rows * table.cols * 4);
  }

  /** Rope in place on qk [rows, heads, headDim]; position of row r = posOffset + r % seqLen (src/engine/cpu/rope.ts). */
  rope(qk: WasmBuffer, rows: number, seqLen: number, heads: number, headDim: number, invFreq: WasmBuffer, posOffset = 0): void {
    need(qk, rows * heads * headDim * 4, 'rope qk');
    if (!(seqLen >= 1)) throw new Error(`rope: seqLen ${seqLen} must be at least 1`);
    this.dispatch('rope', [qk.ptr, rows, seqLen, heads, headDim, invFreq.ptr, posOffset], { total: Math.min(seqLen, rows), grain: 1, scratch: this.scratch(headDim * 4) },
      rows * heads * headDim * 2 + Math.min(seqLen, rows) * headDim * 20);
  }

  /** Causal GQA attention over whole sequences (src/engine/cpu/attention.ts); window 0 = full. */
  attention(q: WasmBuffer, k: WasmBuffer, v: WasmBuffer, out: WasmBuffer, batch: number, seqLen: number, heads: number, kvHeads: number, headDim: number, window = 0): void {
    if (heads % kvHeads !== 0) throw new Error(`attention: ${heads} heads is not a multiple of ${kvHeads} kv heads`);
    need(out, batch * seqLen * heads * headDim * 4, 'attention out');
    this.dispatch('attention', [q.ptr, k.ptr, v.ptr, out.ptr, seqLen, heads, kvHeads, headDim, window],
      { total: batch * heads, grain: 1, scratch: this.scratch(seqLen * 4) }, batch * heads * seqLen * seqLen * headDim);
  }

  /** qLen new queries per sequence against KV caches [batch * maxLen, kvHeads, headDim] (src/engine/cpu/attentionDecode.ts). */
  attentionDecode(q: WasmBuffer, kCache: WasmBuffer, vCache: WasmBuffer, out: WasmBuffer, batch: number, qLen: number, pos: number, maxLen: number, heads: number, kvHeads: number, headDim: number, window = 0): void {
    if (heads % kvHeads !== 0) throw new Error(`attentionDecode: ${heads} heads is not a multiple of ${kvHeads} kv heads`);
    if (pos + qLen > maxLen) throw new Error(`attentionDecode: positions up to ${pos + qLen} exceed the cache length ${maxLen}`);
    need(out, batch * qLen * heads * headDim * 4, 'attentionDecode out');
    this.dispatch('attention_decode', [q.ptr, kCache.ptr, vCache.ptr, out.ptr, qLen, pos, maxLen, heads, kvHeads, headDim, window],
      { total: batch * heads, grain: 1, scratch: this.scratch((pos + qLen) * 4) }, batch * heads * qLen * (pos + qLen) * headDim);
  }

  /** out[p, c] = logits[p, targets[p, c]] - logsumexp(logits[p, :]) (targets u32) (src/engine/cpu/logprob.ts). */
  logprob(logits: WasmBuffer, vocab: number, targets: WasmBuffer, candidates: number, positions: number, out: WasmBuffer): void {
    need(logits, positions * vocab * 4, 'logprob logits');
    need(out, positions * candidates * 4, 'logprob out');
    this.dispatch('logprob', [logits.ptr, vocab, targets.ptr, candidates, out.ptr], { total: positions, grain: 1 }, positions * vocab * 8);
  }

  /** y += scale * (x A^T) B^T: LoRA with A [rank, inDim], B [outDim, rank] (src/engine/cpu/adapters.ts loraRef). */
  lora(x: WasmBuffer, a: WasmBuffer, b: WasmBuffer, y: WasmBuffer, rows: number, inDim: number, outDim: number, rank: number, scale: number): void {
    const t = this.reusable('lora', rows * rank * 4);
    this.matmul(x, { format: 'f32', rows: rank, cols: inDim, data: a }, t, rows);
    this.matmul(t, { format: 'f32', rows: outDim, cols: rank, data: b }, y, rows, { alpha: scale, accumulate: true });
  }

  /** y[m, n] += sum over CSR row n of x[m, col] (value - base) (src/engine/cpu/adapters.ts sparseDeltaRef). */
  sparseDelta(x: WasmBuffer, rowStart: WasmBuffer, col: WasmBuffer, base: WasmBuffer, value: WasmBuffer, y: WasmBuffer, rows: number, inDim: number, outDim: number): void {
    need(y, rows * outDim * 4, 'sparseDelta y');
    this.dispatch('sparse_delta', [x.ptr, rowStart.ptr, col.ptr, base.ptr, value.ptr, y.ptr, rows, inDim, outDim], { total: outDim, grain: 8 }, rows * (col.bytes >> 2));
  }

  /** out[c] += sum_m x[m, c]^2, accumulating over calls like shaders/column_norms.wgsl (one call from zero = columnSumsqRef). */
  columnSumsq(x: WasmBuffer, rows: number, inDim: number, out: WasmBuffer): void {
    need(out, inDim * 4, 'columnSumsq out');
    this.dispatch('column_sumsq', [x.ptr, rows, inDim, out.ptr], { total: inDim, grain: 16 }, rows * inDim);
  }

  /** out = exp(x) over `count` elements with the kernels' vector exp (wasm/mathv.ts; tests measure it). */
  exp(x: WasmBuffer, out: WasmBuffer, count: number): void {
    need(out, count * 4, 'exp out');
    this.k.exp_f32(x.ptr, out.ptr, count);
  }

  // ---- ZO passes (z regenerated from the seed: src/engine/defs/rng.ts, shaders/rng.wgsl) ----

  /** z of one stream, elements [0, count), into out (tests and the benchmark; the passes never store z). */
  gaussianRange(seed: number, step: number, j: number, stream: number, count: number, out: WasmBuffer): void {
    need(out, count * 4, 'gaussianRange out');
    this.dispatch('gaussian_range', [seed >>> 0, step >>> 0, j >>> 0, stream >>> 0, out.ptr], { total: count, grain: 16 }, count * 64);
  }

  /** theta += coef * eps * scale * z_j over one range (src/engine/cpu/zo.ts perturbRangeCpu). */
  zoPerturb(r: WasmParamRange, s: Pick<ZoStepScalars, 'seed' | 'step' | 'eps'>, j: number, coef: number): void {
    const a = Math.fround(Math.fround(Math.fround(coef * s.eps)) * Math.fround(r.scale ?? 1));
    this.dispatch('zo_perturb', [rangePtr(r), s.seed >>> 0, s.step >>> 0, j >>> 0, r.stream >>> 0, a], { total: r.count, grain: 16 }, r.count * 64);
  }

  /** theta[range] = snapshot + a z_j (a = how far along z; shaders/zo_probe.wgsl): the dynamics view's probe. */
  zoProbe(r: WasmParamRange, snapshot: WasmBuffer, seed: number, step: number, j: number, a: number): void {
    need(snapshot, r.count * 4, 'zoProbe snapshot');
    this.dispatch('zo_probe', [rangePtr(r), snapshot.ptr, seed >>> 0, step >>> 0, j >>> 0, r.stream >>> 0, a], { total: r.count, grain: 16 }, r.count * 64);
  }

  /**
   * One optimizer move over a range along d = (scale / q) sum_j g_j z_j (shaders/zo_update.wgsl;
   * CPU: directionCpu + ZO_OPTIMIZERS[opt].step). c: the move coefficient (ZO-SGD-Cons: 1, -2,
   * then its choice summary[q]). restore: the step's last restore theta += coef eps scale z_j,
   * folded in first. state: [m] (momentum) or [m, v] (Adam), count f32 each.
   */
  zoUpdate(optimizer: OptimizerName, r: WasmParamRange, s: ZoStepScalars, grads: ArrayLike<number>, c: number, state: WasmBuffer[] = [], restore?: { j: number; coef: number }): void {
    const q = grads.length;
    if (q < 1 || q > 16) throw new Error(`zoUpdate: ${q} projected gradients (1..16)`);
    const opt = OPT_CODE[optimizer];
    const slots = opt === 2 ? 1 : opt === 3 ? 2 : 0;
    if (state.length < slots) throw new Error(`zoUpdate: ${optimizer} needs ${slots} state buffers`);
    for (const st of state.slice(0, slots)) need(st, r.count * 4, 'zoUpdate state');
    const f = Math.fround;
    const scale = f(r.scale ?? 1);
    const view = this.f32(this.small, 64);
    view.set([s.lr, f(s.weightDecay * (r.decay ? 1 : 0)), s.invQ, scale, s.beta1, s.beta2, s.bias1, s.bias2, s.adamEps]);
    for (let i = 0; i < q; i++) view[16 + i] = grads[i];
    const restoreA = restore ? f(f(f(restore.coef * s.eps)) * scale) : 0;
    this.dispatch('zo_update', [opt, rangePtr(r), state[0]?.ptr ?? 0, state[1]?.ptr ?? 0, s.seed >>> 0, s.step >>> 0, r.stream >>> 0,
      this.small.ptr + 64, q, c, restore ? restore.j : -1, restoreA, this.small.ptr], { total: r.count, grain: 16 }, r.count * 64 * q);
  }

  private writeTerms(terms: readonly MixTerm[]): WasmBuffer {
    const buf = this.reusable('terms', terms.length * 8);
    const u = this.u32(buf, terms.length * 2);
    const f = this.f32(buf, terms.length * 2);
    terms.forEach((t, i) => {
      u[2 * i] = t.step >>> 0;
      f[2 * i + 1] = t.coef;
    });
    return buf;
  }

  /** ZOPrO: theta += alpha z, z = sum_m coef_m gaussian(seed, step_m, 0, stream) (src/engine/cpu/zoMixed.ts mixedAxpyCpu). */
  zoMixedAxpy(r: WasmParamRange, seed: number, terms: readonly MixTerm[], alpha: number): void {
    const t = this.writeTerms(terms);
    this.dispatch('zo_mixed_axpy', [rangePtr(r), seed >>> 0, r.stream >>> 0, t.ptr, terms.length, alpha], { total: r.count, grain: 16 }, r.count * 64 * terms.length);
  }

  /** ||z||^2 over ranges (f64; src/engine/cpu/zoMixed.ts mixedSquaredNormCpu). */
  zoMixedSumsq(ranges: readonly Pick<WasmParamRange, 'count' | 'stream'>[], seed: number, terms: readonly MixTerm[]): number {
    const t = this.writeTerms(terms);
    let total = 0;
    for (const r of ranges) {
      const scratch = this.scratch(8);
      new Float64Array(this.memory.buffer, scratch.buffer.ptr, (scratch.stride * this.threads) / 8).fill(0);
      this.dispatch('zo_mixed_sumsq', [seed >>> 0, r.stream >>> 0, t.ptr, terms.length], { total: r.count, grain: 16, scratch }, r.count * 64 * terms.length);
      const parts = new Float64Array(this.memory.buffer, scratch.buffer.ptr, (scratch.stride * this.threads) / 8);
      for (let i = 0; i < this.threads; i++) total += parts[(i * scratch.stride) / 8];
    }
    return total;
  }
}

/** f32 / u32 / byte views of one buffer, re-made when the memory's buffer changes. */
export class WasmViews {
  private cachedFor: ArrayBufferLike | null = null;
  private f: Float32Array | null = null;
  private u: Uint32Array | null = null;
  private b: Uint8Array | null = null;

  constructor(private readonly memory: WebAssembly.Memory, readonly buffer: WasmBuffer) {}

  private fresh(): void {
    if (this.cachedFor === this.memory.buffer) return;
    const mb = this.memory.buffer;
    this.cachedFor = mb;
    this.f = new Float32Array(mb, this.buffer.ptr, this.buffer.bytes >> 2);
    this.u = new Uint32Array(mb, this.buffer.ptr, this.buffer.bytes >> 2);
    this.b = new Uint8Array(mb, this.buffer.ptr, this.buffer.bytes);
  }

  get f32(): Float32Array {
    this.fresh();
    return this.f!;
  }

  get u32(): Uint32Array {
    this.fresh();
    return this.u!;
  }

  get bytes(): Uint8Array {
    this.fresh();
    return this.b!;
  }
}

/**
 * The kernels' memory, reserving up to 4 GiB (the wasm32 limit) and less where the platform
 * refuses that much address space for a shared memory (32-bit and some mobile browsers).
 */
function createMemory(shared: boolean): WebAssembly.Memory {
  let lastError: unknown = null;
  for (let maximum = MAXIMUM_PAGES; maximum >= 4096; maximum >>= 1) {
    try {
      return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum, shared });
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`wasm kernels: cannot create a ${shared ? 'shared ' : ''}WebAssembly memory (${String(lastError)})`);
}

function rangePtr(r: WasmParamRange): number {
  need(r.theta, (r.offset + r.count) * 4, 'ZO range');
  return r.theta.ptr + r.offset * 4;
}

function need(buf: WasmBuffer, bytes: number, what: string): void {
  if (buf.bytes < bytes) throw new Error(`${what}: buffer of ${buf.bytes} bytes, need ${bytes}`);
}
