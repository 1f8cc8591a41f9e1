// One Llama decoder block, built once for both forward passes: the training/scoring forward
// (model/llama.ts, attention over the whole sequence) and the KV-cache decoder
// (generation/kvDecoder.ts, which appends to its cache and attends over it). Only the attention
// differs, so the caller passes its attention kernels; everything else is written here once:
//   x += o(attn(rope(q(n1(x))), rope(k(n1(x))), v(n1(x))));  x += down(silu(gate(n2(x))) * up(n2(x)))
// (q, k, v include their biases when the model has them: Qwen2; the residual adds are fused into
// the o and down projections). Tuning-mode hooks (LoRA, sparse deltas) run after their linear.
import type { GpuContext } from '../gpu/context';
import type { Dispatchable } from '../gpu/kernel';
import { RmsNormKernel } from '../gpu/kernels/rmsnorm';
import { RopeKernel } from '../gpu/kernels/rope';
import { SwigluKernel } from '../gpu/kernels/swiglu';
import { BiasKernel } from '../gpu/kernels/bias';
import { MatmulKernel } from '../gpu/kernels/matmul';
import type { LlamaConfig } from './config';
import type { LayerWeights, LinearName } from './weights';
import type { Activations } from './activations';

/** A kernel of a forward pass: sized per call (rows; RoPE and attention also take a shape, whose
 *  form differs between the two passes), freed with the pass. */
export type ForwardStep = Dispatchable & { setRows?(m: number): void; destroy(): void };

/** Extra work a tuning mode adds after a linear layer (LoRA's B(Ax), SensZOQ's sparse correction). */
export interface LinearHook {
  /** The kernel to run right after linear `name` of `layer` (x its input, y its output), or null. */
  build(ctx: GpuContext, layer: number, name: LinearName, x: GPUBuffer, y: GPUBuffer, maxRows: number): (Dispatchable & { setRows(m: number): void; destroy(): void }) | null;
}

export interface DecoderBlockSpec {
  ctx: GpuContext;
  config: LlamaConfig;
  layer: number;
  weights: LayerWeights;
  activations: Activations;
  /** Rows (batch x tokens) the kernels are sized for. */
  rows: number;
  hooks: readonly LinearHook[];
  /** RoPE inverse frequencies, f32 [headDim / 2]. */
  invFreq: GPUBuffer;
  /** Kernel label prefix ('L3', 'decode.L3'). */
  label: string;
}

export interface DecoderBlock {
  steps: ForwardStep[];
  /** The two RoPE kernels (the decoder moves their position offset per call). */
  ropes: [RopeKernel, RopeKernel];
}

/** Builds one block's kernels in dispatch order; `attention` reads rotated q, k and v and writes activations.attn. */
export function buildDecoderBlock(b: DecoderBlockSpec, attention: ForwardStep[]): DecoderBlock {
  const { ctx, config: c, weights: w, activations: s, rows, hooks, label } = b;
  const dims = { maxRows: rows };
  const linear = (name: LinearName, x: GPUBuffer, y: GPUBuffer, accumulate = false): ForwardStep[] => {
    const steps: ForwardStep[] = [new MatmulKernel(ctx, { x, w: w[name], y, maxRows: rows, accumulate, label: `${label}.${name}` })];
    for (const hook of hooks) {
      const extra = hook.build(ctx, b.layer, name, x, y, rows);
      if (extra) steps.push(extra);
    }
    return steps;
  };
  const bias = (name: 'q' | 'k' | 'v', y: GPUBuffer, width: number): ForwardStep[] =>
    w.bias ? [new BiasKernel(ctx, { y, bias: w.bias[name], width, ...dims, label: `${label}.${name}_bias` })] : [];
  const ropes: [RopeKernel, RopeKernel] = [
    new RopeKernel(ctx, { qk: s.q, heads: c.heads, headDim: c.headDim, invFreq: b.invFreq, ...dims }),
    new RopeKernel(ctx, { qk: s.k, heads: c.kvHeads, headDim: c.headDim, invFreq: b.invFreq, ...dims }),
  ];
  const steps: ForwardStep[] = [
    new RmsNormKernel(ctx, { x: s.x, weight: w.inputNorm, y: s.xNorm, dim: c.hidden, eps: c.rmsNormEps, ...dims }),
    ...linear('q', s.xNorm, s.q),
    ...bias('q', s.q, c.heads * c.headDim),
    ...linear('k', s.xNorm, s.k),
    ...bias('k', s.k, c.kvHeads * c.headDim),
    ...linear('v', s.xNorm, s.v),
    ...bias('v', s.v, c.kvHeads * c.headDim),
    ...ropes,
    ...attention,
    // The residual add is fused into the output projections: x += attn Wo^T.
    ...linear('o', s.attn, s.x, true),
    new RmsNormKernel(ctx, { x: s.x, weight: w.postNorm, y: s.xNorm, dim: c.hidden, eps: c.rmsNormEps, ...dims }),
    ...linear('gate', s.xNorm, s.gate),
    ...linear('up', s.xNorm, s.up),
    new SwigluKernel(ctx, { gate: s.gate, up: s.up, out: s.gate, width: c.intermediate, ...dims }),
    ...linear('down', s.gate, s.x, true),
  ];
  return { steps, ropes };
}
