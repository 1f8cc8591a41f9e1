// Decoding against a KV cache: KvAppendKernel writes a call's K/V rows into the cache
// (shaders/kv_cache.wgsl) and DecodeAttentionKernel attends the call's few queries to every
// filled cache position (shaders/attention_decode.wgsl):
//   out[b, i, h, :] = sum_{j <= pos + i} softmax_j(q[b, i, h, :] . K[b, j, g, :] / sqrt(headDim)) V[b, j, g, :]
// (with a sliding window W, over j > pos + i - W only).
import code from '../../../../shaders/attention_decode.wgsl?raw';
import appendCode from '../../../../shaders/kv_cache.wgsl?raw';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, linearGrid, type Dispatchable } from '../kernel';
import { windowParam } from './attention';
import type { DeviceBuffer, ComputePass } from '../device';

const WG = 32;
const APPEND_WG = 256;
const MAXD4 = 32;

export interface KvCacheShape {
  maxBatch: number;
  /** Cache positions per sequence. */
  maxLen: number;
  kvHeads: number;
  headDim: number;
}

export interface KvAppendOptions extends KvCacheShape {
  k: DeviceBuffer; // f32 [maxBatch * maxChunk, kvHeads, headDim]: this call's keys (after RoPE)
  v: DeviceBuffer; // f32 [maxBatch * maxChunk, kvHeads, headDim]
  kCache: DeviceBuffer; // f32 [maxBatch * maxLen, kvHeads, headDim]
  vCache: DeviceBuffer; // f32 [maxBatch * maxLen, kvHeads, headDim]
}

export class KvAppendKernel implements Dispatchable {
  readonly label = 'kv_append';
  private readonly kernel: BoundKernel;
  private readonly params: ParamBlock<'count' | 'qLen' | 'pos' | 'kvRowStride' | 'rowVec4'>;
  private readonly rowVec4: number;

  constructor(ctx: WebGpu, private readonly o: KvAppendOptions) {
    this.rowVec4 = (o.kvHeads * o.headDim) / 4;
    const need = o.maxBatch * o.maxLen * o.kvHeads * o.headDim * 4;
    if (o.kCache.size < need || o.vCache.size < need) throw new Error(`kv_append: cache buffers need ${need} bytes`);
    this.params = new ParamBlock(ctx, 'kv-append-params', [
      { name: 'count', type: 'u32' },
      { name: 'qLen', type: 'u32' },
      { name: 'pos', type: 'u32' },
      { name: 'kvRowStride', type: 'u32' },
      { name: 'rowVec4', type: 'u32' },
    ]);
    this.kernel = new BoundKernel(ctx, {
      name: 'kv_cache',
      code: appendCode,
      constants: { WG: APPEND_WG },
      bindings: [o.k, o.v, o.kCache, o.vCache, this.params.buffer],
      grid: [1, 1, 1],
    });
    this.params.set({ kvRowStride: o.maxLen, rowVec4: this.rowVec4 });
  }

  /** The next dispatch appends qLen tokens of `batch` sequences at cache position `pos`. */
  setShape(batch: number, qLen: number, pos: number): void {
    if (batch > this.o.maxBatch || pos + qLen > this.o.maxLen) throw new Error(`kv_append: ${batch} x [${pos}, ${pos + qLen}) exceeds the cache ${this.o.maxBatch} x ${this.o.maxLen}`);
    const count = batch * qLen * this.rowVec4;
    this.params.set({ count, qLen, pos });
    this.kernel.grid = linearGrid(count, APPEND_WG);
  }

  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }

  /** Frees what the constructor allocated (its uniform). */
  destroy(): void {
    this.params.destroy();
  }
}

export interface DecodeAttentionOptions extends KvCacheShape {
  q: DeviceBuffer; // f32 [maxBatch * maxChunk, heads, headDim]
  kCache: DeviceBuffer;
  vCache: DeviceBuffer;
  out: DeviceBuffer; // f32 [maxBatch * maxChunk, heads * headDim]
  heads: number;
  /** Sliding window: each query sees its last `window` keys (itself included); 0 or absent = all. */
  window?: number;
}

export class DecodeAttentionKernel implements Dispatchable {
  readonly label = 'attention_decode';
  private readonly kernel: BoundKernel;
  private readonly params: ParamBlock<'qLen' | 'kvLen' | 'qOffset' | 'kvRowStride' | 'heads' | 'kvHeads' | 'scale' | 'batch' | 'window'>;

  constructor(ctx: WebGpu, private readonly o: DecodeAttentionOptions) {
    const { heads, kvHeads, headDim } = o;
    if (headDim % 4 !== 0 || headDim / 4 > MAXD4) throw new Error(`attention_decode: headDim ${headDim} must be a multiple of 4 and at most ${4 * MAXD4}`);
    if (heads % kvHeads !== 0) throw new Error(`attention_decode: ${heads} query heads are not a multiple of ${kvHeads} kv heads`);
    this.params = new ParamBlock(ctx, 'attention-decode-params', [
      { name: 'qLen', type: 'u32' },
      { name: 'kvLen', type: 'u32' },
      { name: 'qOffset', type: 'u32' },
      { name: 'kvRowStride', type: 'u32' },
      { name: 'heads', type: 'u32' },
      { name: 'kvHeads', type: 'u32' },
      { name: 'scale', type: 'f32' },
      { name: 'batch', type: 'u32' },
      { name: 'window', type: 'u32' },
    ]);
    this.kernel = new BoundKernel(ctx, {
      name: 'attention_decode',
      code,
      constants: { D4: headDim / 4, WG },
      bindings: [o.q, o.kCache, o.vCache, o.out, this.params.buffer],
      grid: [1, 1, 1],
      label: `attention_decode:h${heads}/kv${kvHeads}/d${headDim}`,
    });
    this.params.set({ heads, kvHeads, kvRowStride: o.maxLen, scale: 1 / Math.sqrt(headDim), window: windowParam(o.window) });
  }

  /** qLen queries per sequence at cache positions [pos, pos + qLen), attending to keys [0, pos + i]. */
  setShape(batch: number, qLen: number, pos: number): void {
    if (batch > this.o.maxBatch || pos + qLen > this.o.maxLen) throw new Error(`attention_decode: ${batch} x [${pos}, ${pos + qLen}) exceeds the cache ${this.o.maxBatch} x ${this.o.maxLen}`);
    this.params.set({ qLen, kvLen: pos + qLen, qOffset: pos, batch });
    this.kernel.grid = linearGrid(batch * qLen * this.o.heads, WG);
  }

  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }

  /** Frees what the constructor allocated (its uniform). */
  destroy(): void {
    this.params.destroy();
  }
}
