// One Llama decoder block, built once for both forward passes: the training/scoring forward
// (model/llama.ts, attention over the whole sequence) and the KV-cache decoder
// (generation/kvDecoder.ts, which appends to its cache and attends over it). Only the attention
// differs, so the caller passes its attention kernels; everything else is written here once:
//   x += o(attn(rope(q(n1(x))), rope(k(n1(x))), v(n1(x))));  x += down(silu(gate(n2(x))) * up(n2(x)))
// (q, k, v include their biases when the model has them: Qwen2; the residual adds are fused into
// the o and down projections). Tuning-mode hooks (LoRA, sparse deltas) run after their linear.
import type { Backend, OwnedKernel, RopeKernelOps, RowsKernel } from '../gpu/backend';
import type { LlamaConfig } from './config';
import type { LayerWeights, LinearName } from './weights';
import type { Activations } from './activations';
import type { DeviceBuffer } from '../gpu/device';

/** A kernel of a forward pass: sized per call (rows; RoPE and attention also take a shape, whose
 *  form differs between the two passes), freed with the pass. */
export type ForwardStep = OwnedKernel & { setRows?(m: number): void };

/** Extra work a tuning mode adds after a linear layer (LoRA's B(Ax), SensZOQ's sparse correction). */
export interface LinearHook {
  /** The kernel to run right after linear `name` of `layer` (x its input, y its output), or null. */
  build(ctx: Backend, layer: number, name: LinearName, x: DeviceBuffer, y: DeviceBuffer, maxRows: number): RowsKernel | null;
}

export interface DecoderBlockSpec {
  ctx: Backend;
  config: LlamaConfig;
  layer: number;
  weights: LayerWeights;
  activations: Activations;
  /** Rows (batch x tokens) the kernels are sized for. */
  rows: number;
  hooks: readonly LinearHook[];
  /** RoPE inverse frequencies, f32 [headDim / 2]. */
  invFreq: DeviceBuffer;
  /** Kernel label prefix ('L3', 'decode.L3'). */
  label: string;
}

export interface DecoderBlock {
  steps: ForwardStep[];
  /** The two RoPE kernels (the decoder moves their position offset per call). */
  ropes: [RopeKernelOps, RopeKernelOps];
}

/** Builds one block's kernels in dispatch order; `attention` reads rotated q, k and v and writes activations.attn. */
export function buildDecoderBlock(b: DecoderBlockSpec, attention: ForwardStep[]): DecoderBlock {
  const { ctx, config: c, weights: w, activations: s, rows, hooks, label } = b;
  const dims = { maxRows: rows };
  const linear = (name: LinearName, x: DeviceBuffer, y: DeviceBuffer, accumulate = false): ForwardStep[] => {
    const steps: ForwardStep[] = [ctx.kernels.matmul({ x, w: w[name], y, maxRows: rows, accumulate, label: `${label}.${name}` })];
    for (const hook of hooks) {
      const extra = hook.build(ctx, b.layer, name, x, y, rows);
      if (extra) steps.push(extra);
    }
    return steps;
  };
  const bias = (name: 'q' | 'k' | 'v', y: DeviceBuffer, width: number): ForwardStep[] =>
    w.bias ? [ctx.kernels.bias({ y, bias: w.bias[name], width, ...dims, label: `${label}.${name}_bias` })] : [];
  const ropes: [RopeKernelOps, RopeKernelOps] = [
    ctx.kernels.rope({ qk: s.q, heads: c.heads, headDim: c.headDim, invFreq: b.invFreq, ...dims }),
    ctx.kernels.rope({ qk: s.k, heads: c.kvHeads, headDim: c.headDim, invFreq: b.invFreq, ...dims }),
  ];
  const steps: ForwardStep[] = [
    ctx.kernels.rmsnorm({ x: s.x, weight: w.inputNorm, y: s.xNorm, dim: c.hidden, eps: c.rmsNormEps, ...dims }),
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
    ctx.kernels.rmsnorm({ x: s.x, weight: w.postNorm, y: s.xNorm, dim: c.hidden, eps: c.rmsNormEps, ...dims }),
    ...linear('gate', s.xNorm, s.gate),
    ...linear('up', s.xNorm, s.up),
    ctx.kernels.swiglu({ gate: s.gate, up: s.up, out: s.gate, width: c.intermediate, ...dims }),
    ...linear('down', s.gate, s.x, true),
  ];
  return { steps, ropes };
}
