// The Llama forward pass for autoregressive decoding with a KV cache (llama2.c's forward() with
// its key_cache / value_cache): each call feeds `n` new tokens per sequence at cache positions
// [pos, pos + n), appends their rotated keys and values to the cache, attends them to every
// filled position, and returns the next-token logits of each sequence's last new token.
//   x = embed(ids); per layer: q, k, v = proj(n1(x)) (+ bias: Qwen2); rope at pos + t; cache[pos + t] = k, v;
//   x += o(attn(q, cache)); x += down(silu(gate(n2(x))) * up(n2(x)));  logits = lm_head(norm(x[last]))
// Same weights and tuning-mode hooks as LlamaForward (no copy of the model): a LoRA run's
// adapters or sparse deltas are live in generation. Buffers are allocated once, here.
import type { GpuContext } from '../gpu/context';
import type { Dispatchable } from '../gpu/kernel';
import { EmbeddingKernel } from '../gpu/kernels/embedding';
import { RmsNormKernel } from '../gpu/kernels/rmsnorm';
import { RopeKernel } from '../gpu/kernels/rope';
import { BiasKernel } from '../gpu/kernels/bias';
import { SwigluKernel } from '../gpu/kernels/swiglu';
import { GatherRowsKernel } from '../gpu/kernels/logprob';
import { MatmulKernel } from '../gpu/kernels/matmul';
import { DecodeAttentionKernel, KvAppendKernel } from '../gpu/kernels/attentionDecode';
import { ropeInvFreq } from '../cpu/rope';
import { layerWindow, type LlamaConfig } from '../model/config';
import type { LinearHook } from '../model/llama';
import type { LayerWeights, LinearName, ModelWeights } from '../model/weights';
import { allocateActivations, releaseActivations, type Activations } from '../model/activations';

export interface DecoderLimits {
  /** Sequences decoded together. */
  maxBatch: number;
  /** Cache positions per sequence: longest prompt + new tokens (at most max_position_embeddings). */
  maxLen: number;
  /** Most tokens per sequence in one call (prompt prefill chunks; decoding feeds 1). */
  maxChunk: number;
}

type Step = Dispatchable & { setRows?(m: number): void };

export class KvDecoder {
  /** Activations for maxBatch x maxChunk rows; logits [maxBatch, vocab]. */
  readonly state: Activations;
  /** Per layer: K and V caches, f32 [maxBatch * maxLen, kvHeads, headDim]. */
  readonly caches: { k: GPUBuffer; v: GPUBuffer }[] = [];
  private readonly steps: Step[] = [];
  private readonly ropes: RopeKernel[] = [];
  private readonly shaped: (KvAppendKernel | DecodeAttentionKernel)[] = [];
  private readonly gather: GatherRowsKernel;
  private readonly finalNorm: RmsNormKernel;
  private readonly lmHead: MatmulKernel;
  private readonly embed: EmbeddingKernel;
  private readonly invFreq: GPUBuffer;

  constructor(
    readonly ctx: GpuContext,
    readonly config: LlamaConfig,
    weights: ModelWeights,
    readonly limits: DecoderLimits,
    hooks: LinearHook[] = [],
  ) {
    const c = config;
    if (limits.maxLen > c.maxPositions) throw new Error(`generation needs ${limits.maxLen} positions, more than the model's max_position_embeddings ${c.maxPositions}`);
    const rows = limits.maxBatch * limits.maxChunk;
    const s = (this.state = allocateActivations(ctx, c, { maxBatch: limits.maxBatch, maxSeqLen: limits.maxChunk, maxPositions: limits.maxBatch, maxCandidates: 1 }));
    this.invFreq = ctx.storageFrom('decode-rope-inv-freq', ropeInvFreq(c.rope), 'weights');
    this.embed = new EmbeddingKernel(ctx, { table: weights.embed, ids: s.ids, out: s.x, maxRows: rows });
    const cacheBytes = limits.maxBatch * limits.maxLen * c.kvHeads * c.headDim * 4;
    weights.layers.forEach((w, i) => {
      const cache = { k: ctx.createStorage(`kv-cache-k${i}`, cacheBytes, 'activations'), v: ctx.createStorage(`kv-cache-v${i}`, cacheBytes, 'activations') };
      this.caches.push(cache);
      this.steps.push(...this.buildLayer(i, w, rows, cache, hooks));
    });
    this.gather = new GatherRowsKernel(ctx, { src: s.x, indices: s.positions, dst: s.gathered, dim: c.hidden, maxOut: limits.maxBatch });
    this.finalNorm = new RmsNormKernel(ctx, { x: s.gathered, weight: weights.finalNorm, y: s.gatheredNorm, dim: c.hidden, eps: c.rmsNormEps, maxRows: limits.maxBatch });
    this.lmHead = new MatmulKernel(ctx, { x: s.gatheredNorm, w: weights.lmHead, y: s.logits, maxRows: limits.maxBatch, label: 'decode.lm_head' });
  }

  private buildLayer(i: number, w: LayerWeights, rows: number, cache: { k: GPUBuffer; v: GPUBuffer }, hooks: LinearHook[]): Step[] {
    const { ctx, config: c, state: s, limits } = this;
    const linear = (name: LinearName, x: GPUBuffer, y: GPUBuffer, accumulate = false): Step[] => {
      const out: Step[] = [new MatmulKernel(ctx, { x, w: w[name], y, maxRows: rows, accumulate, label: `decode.L${i}.${name}` })];
      for (const hook of hooks) {
        const extra = hook.build(ctx, i, name, x, y, rows);
        if (extra) out.push(extra);
      }
      return out;
    };
    const dims = { maxRows: rows };
    const ropeQ = new RopeKernel(ctx, { qk: s.q, heads: c.heads, headDim: c.headDim, invFreq: this.invFreq, ...dims });
    const ropeK = new RopeKernel(ctx, { qk: s.k, heads: c.kvHeads, headDim: c.headDim, invFreq: this.invFreq, ...dims });
    const shape = { maxBatch: limits.maxBatch, maxLen: limits.maxLen, kvHeads: c.kvHeads, headDim: c.headDim };
    const append = new KvAppendKernel(ctx, { ...shape, k: s.k, v: s.v, kCache: cache.k, vCache: cache.v });
    const attention = new DecodeAttentionKernel(ctx, { ...shape, q: s.q, kCache: cache.k, vCache: cache.v, out: s.attn, heads: c.heads, window: layerWindow(c, i) });
    this.ropes.push(ropeQ, ropeK);
    this.shaped.push(append, attention);
    const bias = (name: 'q' | 'k' | 'v', y: GPUBuffer, width: number): Step[] =>
      w.bias ? [new BiasKernel(ctx, { y, bias: w.bias[name], width, ...dims, label: `decode.L${i}.${name}_bias` })] : [];
    return [
      new RmsNormKernel(ctx, { x: s.x, weight: w.inputNorm, y: s.xNorm, dim: c.hidden, eps: c.rmsNormEps, ...dims }),
      ...linear('q', s.xNorm, s.q),
      ...bias('q', s.q, c.heads * c.headDim),
      ...linear('k', s.xNorm, s.k),
      ...bias('k', s.k, c.kvHeads * c.headDim),
      ...linear('v', s.xNorm, s.v),
      ...bias('v', s.v, c.kvHeads * c.headDim),
      ropeQ,
      ropeK,
      append,
      attention,
      ...linear('o', s.attn, s.x, true),
      new RmsNormKernel(ctx, { x: s.x, weight: w.postNorm, y: s.xNorm, dim: c.hidden, eps: c.rmsNormEps, ...dims }),
      ...linear('gate', s.xNorm, s.gate),
      ...linear('up', s.xNorm, s.up),
      new SwigluKernel(ctx, { gate: s.gate, up: s.up, out: s.gate, width: c.intermediate, ...dims }),
      ...linear('down', s.gate, s.x, true),
    ];
  }

  /**
   * Records one call: `ids` holds n tokens per sequence ([batch * n], row b * n + t at cache
   * position pos + t). Every sequence shares `pos`: the caller keeps them in step.
   */
  encodeStep(pass: GPUComputePassEncoder, ids: Uint32Array, batch: number, n: number, pos: number): void {
    const { maxBatch, maxChunk, maxLen } = this.limits;
    if (batch > maxBatch || n > maxChunk || pos + n > maxLen) throw new Error(`decode call ${batch} x ${n} tokens at ${pos} exceeds the limits ${maxBatch} x ${maxChunk} (cache ${maxLen})`);
    if (ids.length !== batch * n) throw new Error('ids must hold batch x n tokens');
    this.ctx.upload(this.state.ids, ids);
    this.ctx.upload(this.state.positions, Uint32Array.from({ length: batch }, (_, b) => b * n + n - 1));
    const rows = batch * n;
    this.embed.setRows(rows);
    for (const k of this.steps) k.setRows?.(rows);
    for (const r of this.ropes) {
      r.setShape(batch, n);
      r.setPosOffset(pos);
    }
    for (const k of this.shaped) k.setShape(batch, n, pos);
    this.gather.setCount(batch);
    this.finalNorm.setRows(batch);
    this.lmHead.setRows(batch);
    this.embed.encode(pass);
    for (const k of this.steps) k.encode(pass);
    this.gather.encode(pass);
    this.finalNorm.encode(pass);
    this.lmHead.encode(pass);
  }

  /** One call, submitted; resolves to the last new token's logits per sequence [batch, vocab]. */
  async step(ids: Uint32Array, batch: number, n: number, pos: number): Promise<Float32Array> {
    this.ctx.submit((pass) => this.encodeStep(pass, ids, batch, n, pos), 'decode');
    return this.ctx.readF32(this.state.logits, batch * this.config.vocabSize);
  }

  destroy(): void {
    releaseActivations(this.ctx, this.state);
    for (const c of this.caches) {
      this.ctx.release(c.k);
      this.ctx.release(c.v);
    }
    this.ctx.release(this.invFreq);
  }
}
