// Causal grouped-query attention (shaders/attention.wgsl), online softmax over K/V tiles:
//   out[b, i, h, :] = sum_{j <= i} softmax_j(q[b, i, h, :] . k[b, j, h / (heads / kvHeads), :] / sqrt(headDim)) v[b, j, ., :]
// over a right-padded batch: rows b * seqLen + t for q, k, v and out. With a sliding window W
// only keys j > i - W are visible (Mistral v0.1, as HF masks them).
// Two variants: 'workgroup' tiles K/V through workgroup memory (real GPUs); 'software'
// (shaders/attention_rowwise.wgsl) gives each (query, head) one invocation with no barriers,
// for CPU adapters such as SwiftShader where barriers and workgroup memory are costly.
import code from '../../../../shaders/attention.wgsl?raw';
import rowwiseCode from '../../../../shaders/attention_rowwise.wgsl?raw';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, linearGrid, type Dispatchable } from '../kernel';
import type { DeviceBuffer, ComputePass } from '../device';

export interface AttentionOptions {
  q: DeviceBuffer; // f32 [rows, heads, headDim], rows = maxBatch * maxSeqLen
  k: DeviceBuffer; // f32 [rows, kvHeads, headDim]
  v: DeviceBuffer; // f32 [rows, kvHeads, headDim]
  out: DeviceBuffer; // f32 [rows, heads * headDim]
  heads: number;
  kvHeads: number;
  headDim: number;
  maxBatch: number;
  maxSeqLen: number;
  /** Sliding window: each query sees its last `window` keys (itself included); 0 or absent = all. */
  window?: number;
  /** Defaults to 'software' on a software adapter (ctx.adapter.isSoftware), else 'workgroup'. */
  variant?: 'workgroup' | 'software';
}

type Field = 'qLen' | 'kvLen' | 'qOffset' | 'qRowStride' | 'kvRowStride' | 'heads' | 'kvHeads' | 'scale' | 'batch' | 'window';

/** Software variant: invocations per workgroup, and the most vec4 columns one invocation holds. */
const ROWWISE_WG = 32;
const ROWWISE_MAXC4 = 32;

/**
 * Software variant: vec4 output columns per invocation, the largest divisor of headDim / 4 up to
 * 32 (headDim <= 128 in one chunk). headDim <= 32 runs entry point `main` (named registers),
 * wider heads `main_wide` (an accumulator array).
 */
export function rowwiseChunk(headDim: number): number {
  const D4 = headDim / 4;
  let C4 = Math.min(D4, ROWWISE_MAXC4);
  while (D4 % C4 !== 0) C4--;
  return C4;
}

/**
 * Tile sizes for a head size: BQ queries per workgroup (BQ * headDim/4 threads, at most 256) and
 * BK keys per K/V tile, as many as the adapter's workgroup memory holds (up to 64).
 */
export function attentionTiling(headDim: number, workgroupBytes: number, maxThreads: number): { BQ: number; BK: number; D4: number } {
  const D4 = headDim / 4;
  const BQ = Math.max(1, Math.min(64, Math.floor(Math.min(256, maxThreads) / D4)));
  // floats: qs BQ*headDim + ks, vs 2*BK*headDim + scores BQ*BK
  const BK = Math.min(64, Math.floor((workgroupBytes / 4 - BQ * headDim) / (2 * headDim + BQ)));
  if (D4 > Math.min(256, maxThreads) || BK < 1) throw new Error(`attention: headDim ${headDim} does not fit this adapter's workgroup limits`);
  return { BQ, BK, D4 };
}

/** A sliding window as the shaders take it (0 = none), checked. */
export function windowParam(window: number | undefined): number {
  if (window === undefined || window === 0) return 0;
  if (!Number.isInteger(window) || window < 1) throw new Error(`attention: sliding window ${window} must be a positive integer`);
  return window;
}

export class AttentionKernel implements Dispatchable {
  readonly label = 'attention';
  private readonly kernel: BoundKernel;
  private readonly params: ParamBlock<Field>;
  private readonly o: AttentionOptions;
  private readonly BQ: number;
  readonly variant: 'workgroup' | 'software';
  /** Software variant: invocations per (query, head); 0 for the workgroup variant. */
  private readonly chunks: number;

  constructor(ctx: WebGpu, o: AttentionOptions) {
    const { heads, kvHeads, headDim } = o;
    if (headDim % 4 !== 0) throw new Error(`attention: headDim ${headDim} is not a multiple of 4`);
    if (heads % kvHeads !== 0) throw new Error(`attention: ${heads} query heads are not a multiple of ${kvHeads} kv heads`);
    const rows = o.maxBatch * o.maxSeqLen;
    for (const [name, buf, width] of [['q', o.q, heads], ['k', o.k, kvHeads], ['v', o.v, kvHeads], ['out', o.out, heads]] as const) {
      if (buf.size < rows * width * headDim * 4) throw new Error(`attention: ${name} buffer holds ${buf.size} bytes, needs ${rows * width * headDim * 4}`);
    }
    this.o = o;
    this.variant = o.variant ?? (ctx.adapter.isSoftware ? 'software' : 'workgroup');
    const software = this.variant === 'software';
    const C4 = rowwiseChunk(headDim);
    this.chunks = software ? headDim / 4 / C4 : 0;
    const tiling = software ? null : attentionTiling(headDim, ctx.limits.maxComputeWorkgroupStorageSize, ctx.limits.maxComputeInvocationsPerWorkgroup);
    this.BQ = tiling?.BQ ?? 1;
    this.params = new ParamBlock(ctx, 'attention-params', [
      { name: 'qLen', type: 'u32' },
      { name: 'kvLen', type: 'u32' },
      { name: 'qOffset', type: 'u32' },
      { name: 'qRowStride', type: 'u32' },
      { name: 'kvRowStride', type: 'u32' },
      { name: 'heads', type: 'u32' },
      { name: 'kvHeads', type: 'u32' },
      { name: 'scale', type: 'f32' },
      { name: 'batch', type: 'u32' },
      { name: 'window', type: 'u32' },
    ]);
    this.kernel = new BoundKernel(ctx, {
      name: software ? 'attention_rowwise' : 'attention',
      code: software ? rowwiseCode : code,
      entryPoint: software && headDim > 32 ? 'main_wide' : 'main',
      constants: tiling ?? { D4: headDim / 4, C4, WG: ROWWISE_WG },
      bindings: [o.q, o.k, o.v, o.out, this.params.buffer],
      grid: [1, heads, 1],
      label: `attention${software ? '_rowwise' : ''}:h${heads}/kv${kvHeads}/d${headDim}`,
    });
    this.params.set({ heads, kvHeads, qOffset: 0, scale: 1 / Math.sqrt(headDim), window: windowParam(o.window) });
    this.setShape(o.maxBatch, o.maxSeqLen);
  }

  /** The next dispatch attends within each of `batch` sequences of `seqLen` rows (b * seqLen + t). */
  setShape(batch: number, seqLen: number): void {
    if (batch > this.o.maxBatch || seqLen > this.o.maxSeqLen) {
      throw new Error(`attention: shape ${batch} x ${seqLen} exceeds ${this.o.maxBatch} x ${this.o.maxSeqLen}`);
    }
    this.params.set({ qLen: seqLen, kvLen: seqLen, qRowStride: seqLen, kvRowStride: seqLen, batch });
    this.kernel.grid = this.chunks
      ? linearGrid(batch * seqLen * this.o.heads * this.chunks, ROWWISE_WG)
      : [Math.ceil(seqLen / this.BQ), this.o.heads, batch];
  }

  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }

  /** Frees what the constructor allocated (its uniform). */
  destroy(): void {
    this.params.destroy();
  }
}
