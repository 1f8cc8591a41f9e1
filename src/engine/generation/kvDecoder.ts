// The Llama forward pass for autoregressive decoding with a KV cache (llama2.c's forward() with
// its key_cache / value_cache): each call feeds `n` new tokens per sequence at cache positions
// [pos, pos + n), appends their rotated keys and values to the cache, attends them to every
// filled position, and returns the next-token logits of each sequence's last new token.
//   x = embed(ids); per layer: the decoder block of model/decoderBlock.ts (shared with LlamaForward),
//   its attention being: rope at pos + t; cache[pos + t] = k, v; attn(q, cache);  logits = lm_head(norm(x[last]))
// Same weights and tuning-mode hooks as LlamaForward (no copy of the model): a LoRA run's
// adapters or sparse deltas are live in generation. Buffers are allocated once, here.
import type { Backend, CacheKernelOps, GatherKernelOps, RopeKernelOps, RowsKernel } from '../gpu/backend';
import { ropeInvFreq } from '../cpu/rope';
import { layerWindow, type LlamaConfig } from '../model/config';
import { buildDecoderBlock, type ForwardStep, type LinearHook } from '../model/decoderBlock';
import type { LayerWeights, ModelWeights } from '../model/weights';
import { allocateActivations, releaseActivations, type Activations } from '../model/activations';
import type { DeviceBuffer, ComputePass } from '../gpu/device';

export interface DecoderLimits {
  /** Sequences decoded together. */
  maxBatch: number;
  /** Cache positions per sequence: longest prompt + new tokens (at most max_position_embeddings). */
  maxLen: number;
  /** Most tokens per sequence in one call (prompt prefill chunks; decoding feeds 1). */
  maxChunk: number;
}

export class KvDecoder {
  /** Activations for maxBatch x maxChunk rows; logits [maxBatch, vocab]. */
  readonly state: Activations;
  /** Per layer: K and V caches, f32 [maxBatch * maxLen, kvHeads, headDim]. */
  readonly caches: { k: DeviceBuffer; v: DeviceBuffer }[] = [];
  private readonly steps: ForwardStep[] = [];
  private readonly ropes: RopeKernelOps[] = [];
  private readonly shaped: CacheKernelOps[] = [];
  private readonly gather: GatherKernelOps;
  private readonly finalNorm: RowsKernel;
  private readonly lmHead: RowsKernel;
  private readonly embed: RowsKernel;
  private readonly invFreq: DeviceBuffer;

  constructor(
    readonly ctx: Backend,
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
    this.embed = ctx.kernels.embedding({ table: weights.embed, ids: s.ids, out: s.x, maxRows: rows });
    const cacheBytes = limits.maxBatch * limits.maxLen * c.kvHeads * c.headDim * 4;
    weights.layers.forEach((w, i) => {
      const cache = { k: ctx.createStorage(`kv-cache-k${i}`, cacheBytes, 'activations'), v: ctx.createStorage(`kv-cache-v${i}`, cacheBytes, 'activations') };
      this.caches.push(cache);
      this.steps.push(...this.buildLayer(i, w, rows, cache, hooks));
    });
    this.gather = ctx.kernels.gatherRows({ src: s.x, indices: s.positions, dst: s.gathered, dim: c.hidden, maxOut: limits.maxBatch });
    this.finalNorm = ctx.kernels.rmsnorm({ x: s.gathered, weight: weights.finalNorm, y: s.gatheredNorm, dim: c.hidden, eps: c.rmsNormEps, maxRows: limits.maxBatch });
    this.lmHead = ctx.kernels.matmul({ x: s.gatheredNorm, w: weights.lmHead, y: s.logits, maxRows: limits.maxBatch, label: 'decode.lm_head' });
  }

  private buildLayer(i: number, w: LayerWeights, rows: number, cache: { k: DeviceBuffer; v: DeviceBuffer }, hooks: LinearHook[]): ForwardStep[] {
    const { ctx, config: c, state: s, limits } = this;
    const shape = { maxBatch: limits.maxBatch, maxLen: limits.maxLen, kvHeads: c.kvHeads, headDim: c.headDim };
    const append = ctx.kernels.kvAppend({ ...shape, k: s.k, v: s.v, kCache: cache.k, vCache: cache.v });
    const attention = ctx.kernels.decodeAttention({ ...shape, q: s.q, kCache: cache.k, vCache: cache.v, out: s.attn, heads: c.heads, window: layerWindow(c, i) });
    const block = buildDecoderBlock({ ctx, config: c, layer: i, weights: w, activations: s, rows, hooks, invFreq: this.invFreq, label: `decode.L${i}` }, [append, attention]);
    this.ropes.push(...block.ropes);
    this.shaped.push(append, attention);
    return block.steps;
  }

  /**
   * Records one call: `ids` holds n tokens per sequence ([batch * n], row b * n + t at cache
   * position pos + t). Every sequence shares `pos`: the caller keeps them in step.
   */
  encodeStep(pass: ComputePass, ids: Uint32Array, batch: number, n: number, pos: number): void {
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

  /** Frees every kernel, cache and buffer built here (the weights belong to the model). */
  destroy(): void {
    for (const k of [...this.steps, this.embed, this.gather, this.finalNorm, this.lmHead]) k.destroy();
    releaseActivations(this.ctx, this.state);
    for (const c of this.caches) {
      this.ctx.release(c.k);
      this.ctx.release(c.v);
    }
    this.ctx.release(this.invFreq);
  }
}
