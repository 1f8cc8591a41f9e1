// The Llama forward pass, written once against the kernels (HF LlamaForCausalLM semantics):
//   x = embed(ids)
//   per layer: the decoder block of decoderBlock.ts (shared with the KV-cache decoder), with
//   attention over the whole right-padded sequence
//   logprobs[p, c] = log_softmax(lm_head(norm(x[positions[p]])))[targets[p, c]]
// Logits exist only at the scored positions, and nothing after the last attention needs other
// rows: the last block gathers the scored rows of its attention output and residual and runs its
// output projection and MLP on those alone (1/layers of the forward's work saved at a batch of
// prompts scored at one position each), unless a hook must see every row (calibration). Kernels and bind groups are built once here;
// encode() records dispatches into a pass and allocates nothing.
import type { Backend, GatherKernelOps, LogProbKernelOps, RowsKernel } from '../gpu/backend';
import { ropeInvFreq } from '../cpu/rope';
import { layerWindow, type LlamaConfig } from './config';
import type { LayerWeights, ModelWeights } from './weights';
import { allocateActivations, releaseActivations, type RunLimits, type Activations } from './activations';
import { buildDecoderBlock, type BlockTailIo, type DecoderBlock, type ForwardStep, type LinearHook } from './decoderBlock';
import type { DeviceBuffer, ComputePass } from '../gpu/device';

/** One scored forward call: right-padded token rows and the positions/targets to score. */
export interface ForwardInput {
  ids: Uint32Array; // [batch * seqLen], right-padded
  batch: number;
  seqLen: number;
  positions: Uint32Array; // [P] row indices b*seqLen + t whose next-token distribution is scored
  targets: Uint32Array; // [P * candidates]
  candidates: number;
}

export type { LinearHook } from './decoderBlock';

export class LlamaForward {
  readonly state: Activations;
  private readonly layers: ForwardStep[][] = [];
  /** The last block's tail over the scored rows, after gathering them (null: over every row). */
  /** A hook must see every row: no row is skipped or trimmed. */
  private readonly allRows: boolean;
  private scoredTail: { gathers: GatherKernelOps[]; steps: ForwardStep[] } | null = null;
  private readonly embed: RowsKernel;
  private readonly gather: GatherKernelOps;
  private readonly finalNorm: RowsKernel;
  private readonly lmHead: RowsKernel;
  private readonly logprob: LogProbKernelOps;
  private readonly invFreq: DeviceBuffer;
  private current: { batch: number; seqLen: number; positions: number; candidates: number } | null = null;

  constructor(
    readonly ctx: Backend,
    readonly config: LlamaConfig,
    readonly weights: ModelWeights,
    limits: RunLimits,
    hooks: LinearHook[] = [],
  ) {
    if (limits.maxSeqLen > config.maxPositions) {
      throw new Error(`sequence length ${limits.maxSeqLen} exceeds the model's max_position_embeddings ${config.maxPositions}`);
    }
    const c = config;
    const s = (this.state = allocateActivations(ctx, c, limits));
    const rows = limits.maxBatch * limits.maxSeqLen;
    this.invFreq = ctx.storageFrom('rope-inv-freq', ropeInvFreq(c.rope), 'weights');
    this.embed = ctx.kernels.embedding({ table: weights.embed, ids: s.ids, out: s.x, maxRows: rows });
    // Trimming pays where fewer rows are scored than run (and the buffers reused hold them).
    this.allRows = hooks.some((h) => h.allRows);
    const trim = limits.maxPositions < rows && !this.allRows;
    const last = weights.layers.length - 1;
    weights.layers.forEach((w, i) => {
      if (!(trim && i === last)) {
        this.layers.push(this.buildLayer(i, w, rows, hooks).steps);
        return;
      }
      const attnWidth = c.heads * c.headDim;
      // s.q is free after attention and wide enough for the gathered attention rows.
      const block = this.buildLayer(i, w, rows, hooks, { attn: s.q, x: s.gathered, rows: limits.maxPositions });
      this.layers.push(block.head);
      const gathers = [
        ctx.kernels.gatherRows({ src: s.attn, indices: s.positions, dst: s.q, dim: attnWidth, maxOut: limits.maxPositions }),
        ctx.kernels.gatherRows({ src: s.x, indices: s.positions, dst: s.gathered, dim: c.hidden, maxOut: limits.maxPositions }),
      ];
      this.scoredTail = { gathers, steps: block.tail };
    });
    this.gather = ctx.kernels.gatherRows({ src: s.x, indices: s.positions, dst: s.gathered, dim: c.hidden, maxOut: limits.maxPositions });
    this.finalNorm = ctx.kernels.rmsnorm({ x: s.gathered, weight: weights.finalNorm, y: s.gatheredNorm, dim: c.hidden, eps: c.rmsNormEps, maxRows: limits.maxPositions });
    this.lmHead = ctx.kernels.matmul({ x: s.gatheredNorm, w: weights.lmHead, y: s.logits, maxRows: limits.maxPositions, label: 'lm_head' });
    this.logprob = ctx.kernels.logprob({
      logits: s.logits,
      targets: s.targets,
      out: s.logprobs,
      vocab: c.vocabSize,
      candidates: limits.maxCandidates,
      maxPositions: limits.maxPositions,
    });
  }

  private buildLayer(i: number, w: LayerWeights, rows: number, hooks: LinearHook[], tailIo?: BlockTailIo): DecoderBlock {
    const { ctx, config: c, state: s } = this;
    const attention = ctx.kernels.attention({
      q: s.q, k: s.k, v: s.v, out: s.attn,
      heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim,
      maxBatch: s.limits.maxBatch, maxSeqLen: s.limits.maxSeqLen, window: layerWindow(c, i),
    });
    return buildDecoderBlock({ ctx, config: c, layer: i, weights: w, activations: s, rows, hooks, invFreq: this.invFreq, label: `L${i}` }, [attention], tailIo);
  }

  /** Frees every kernel and buffer built here (the weights belong to the model). */
  destroy(): void {
    for (const layer of this.layers) for (const k of layer) k.destroy();
    for (const k of [...(this.scoredTail?.gathers ?? []), ...(this.scoredTail?.steps ?? [])]) k.destroy();
    for (const k of [this.embed, this.gather, this.finalNorm, this.lmHead, this.logprob]) k.destroy();
    releaseActivations(this.ctx, this.state);
    this.ctx.release(this.invFreq);
  }

  /** Upload one call's tokens and scored positions; sizes every kernel for it. */
  setInput(input: ForwardInput): void {
    const { limits } = this.state;
    const P = input.positions.length;
    if (input.batch > limits.maxBatch || input.seqLen > limits.maxSeqLen) {
      throw new Error(`batch ${input.batch} x ${input.seqLen} tokens exceeds the loaded limits ${limits.maxBatch} x ${limits.maxSeqLen}`);
    }
    if (P > limits.maxPositions || input.candidates > limits.maxCandidates) {
      throw new Error(`${P} scored positions x ${input.candidates} candidates exceeds the limits ${limits.maxPositions} x ${limits.maxCandidates}`);
    }
    if (input.ids.length !== input.batch * input.seqLen) throw new Error('ids must hold batch x seqLen tokens');
    if (input.targets.length !== P * input.candidates) throw new Error('targets must hold positions x candidates ids');
    this.ctx.upload(this.state.ids, input.ids);
    this.ctx.upload(this.state.positions, input.positions);
    // targets are laid out [P, maxCandidates]; pad each row so the kernel's stride is fixed.
    const padded = new Uint32Array(P * limits.maxCandidates);
    for (let p = 0; p < P; p++) padded.set(input.targets.subarray(p * input.candidates, (p + 1) * input.candidates), p * limits.maxCandidates);
    this.ctx.upload(this.state.targets, padded);
    const key = { batch: input.batch, seqLen: input.seqLen, positions: P, candidates: input.candidates };
    if (!(this.current && JSON.stringify(this.current) === JSON.stringify(key))) this.resize(input, key);
    const spans = this.allRows ? null : neededSpans(input);
    for (const layer of this.layers) for (const k of layer) k.setRowSpans?.(spans);
  }

  private resize(input: ForwardInput, key: { batch: number; seqLen: number; positions: number; candidates: number }): void {
    const P = key.positions;
    this.current = key;
    const rows = input.batch * input.seqLen;
    this.embed.setRows(rows);
    for (const layer of this.layers) {
      for (const k of layer as (ForwardStep & { setShape?(b: number, t: number): void })[]) {
        if (k.setShape) k.setShape(input.batch, input.seqLen); // RoPE and whole-sequence attention
        else k.setRows?.(rows);
      }
    }
    if (this.scoredTail) {
      for (const g of this.scoredTail.gathers) g.setCount(P);
      for (const k of this.scoredTail.steps) k.setRows?.(P);
    }
    this.gather.setCount(P);
    this.finalNorm.setRows(P);
    this.lmHead.setRows(P);
    this.logprob.setPositions(P);
  }

  /** Records the whole forward pass; logprobs land in state.logprobs [P, maxCandidates]. */
  encode(pass: ComputePass): void {
    if (!this.current) throw new Error('setInput() must come before encode()');
    this.embed.encode(pass);
    for (const layer of this.layers) for (const k of layer) k.encode(pass);
    if (this.scoredTail) {
      // the last block's tail over the scored rows leaves them in state.gathered
      for (const k of [...this.scoredTail.gathers, ...this.scoredTail.steps]) k.encode(pass);
    } else this.gather.encode(pass);
    this.finalNorm.encode(pass);
    this.lmHead.encode(pass);
    this.logprob.encode(pass);
  }

  /** Convenience for inference and tests: run once and read the scored log-probabilities. */
  async logprobs(input: ForwardInput): Promise<Float32Array> {
    this.setInput(input);
    this.ctx.submit((pass) => this.encode(pass), 'forward');
    const { maxCandidates } = this.state.limits;
    const all = await this.ctx.readF32(this.state.logprobs, input.positions.length * maxCandidates);
    const out = new Float32Array(input.positions.length * input.candidates);
    for (let p = 0; p < input.positions.length; p++) {
      out.set(all.subarray(p * maxCandidates, p * maxCandidates + input.candidates), p * input.candidates);
    }
    return out;
  }

  /** Full-vocabulary logits at the scored positions [P, vocab] (the CLI's `logits`, tests). */
  async logits(input: ForwardInput): Promise<Float32Array> {
    this.setInput(input);
    this.ctx.submit((pass) => this.encode(pass), 'forward');
    return this.ctx.readF32(this.state.logits, input.positions.length * this.config.vocabSize);
  }
}

/**
 * The rows of a right-padded batch that anything scored depends on: each sequence's rows up to
 * its last scored position (attention is causal, so later rows, the padding, feed nothing scored),
 * as [start, count] pairs with adjacent spans merged. null when every row is needed.
 */
export function neededSpans(input: ForwardInput): Uint32Array | null {
  const { batch, seqLen, positions } = input;
  const need = new Int32Array(batch);
  for (const p of positions) {
    const b = Math.floor(p / seqLen);
    if (b < batch) need[b] = Math.max(need[b], (p % seqLen) + 1);
  }
  const spans: number[] = [];
  for (let b = 0; b < batch; b++) {
    if (need[b] === 0) continue;
    const start = b * seqLen;
    const last = spans.length - 2;
    if (last >= 0 && spans[last] + spans[last + 1] === start) spans[last + 1] += need[b];
    else spans.push(start, need[b]);
  }
  if (spans.length === 2 && spans[0] === 0 && spans[1] === batch * seqLen) return null;
  return Uint32Array.from(spans);
}
