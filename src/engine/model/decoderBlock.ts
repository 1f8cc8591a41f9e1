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
export type ForwardStep = OwnedKernel & { setRows?(m: number): void; setRowSpans?(spans: Uint32Array | null): void };

/** Extra work a tuning mode adds after a linear layer (LoRA's B(Ax), SensZOQ's sparse correction). */
export interface LinearHook {
  /** The kernel to run right after linear `name` of `layer` (x its input, y its output), or null. */
  build(ctx: Backend, layer: number, name: LinearName, x: DeviceBuffer, y: DeviceBuffer, maxRows: number): RowsKernel | null;
  /** True when its kernels must see every row's input (calibration statistics): the scoring
   *  forward then runs its last block over all rows, not only the scored ones. */
  readonly allRows?: boolean;
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

/** Where the half after attention reads and writes: the whole batch (activations.attn, .x), or
 *  only the scored rows gathered out of them (the last block of the scoring forward). */
export interface BlockTailIo {
  attn: DeviceBuffer;
  x: DeviceBuffer;
  rows: number;
}

export interface DecoderBlock {
  /** The whole block in dispatch order (attention half, then the tail). */
  steps: ForwardStep[];
  /** Norm, q/k/v, RoPE and attention over every row. */
  head: ForwardStep[];
  /** The output projection (residual fused), norm and MLP over tailIo's rows. */
  tail: ForwardStep[];
  /** The two RoPE kernels (the decoder moves their position offset per call). */
  ropes: [RopeKernelOps, RopeKernelOps];
}

/** Builds one block's kernels in dispatch order; `attention` reads rotated q, k and v and writes activations.attn. */
export function buildDecoderBlock(b: DecoderBlockSpec, attention: ForwardStep[], tailIo?: BlockTailIo): DecoderBlock {
  const { ctx, config: c, weights: w, activations: s, rows, hooks, label } = b;
  const dims = { maxRows: rows };
  const linear = (name: LinearName, x: DeviceBuffer, y: DeviceBuffer, accumulate = false, maxRows = rows): ForwardStep[] => {
    const steps: ForwardStep[] = [ctx.kernels.matmul({ x, w: w[name], y, maxRows, accumulate, label: `${label}.${name}` })];
    for (const hook of hooks) {
      const extra = hook.build(ctx, b.layer, name, x, y, maxRows);
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
  const head: ForwardStep[] = [
    ctx.kernels.rmsnorm({ x: s.x, weight: w.inputNorm, y: s.xNorm, dim: c.hidden, eps: c.rmsNormEps, ...dims }),
    ...linear('q', s.xNorm, s.q),
    ...bias('q', s.q, c.heads * c.headDim),
    ...linear('k', s.xNorm, s.k),
    ...bias('k', s.k, c.kvHeads * c.headDim),
    ...linear('v', s.xNorm, s.v),
    ...bias('v', s.v, c.kvHeads * c.headDim),
    ...ropes,
    ...attention,
  ];
  // xNorm, gate and up are free after attention and hold at least tailIo.rows rows.
  const io = tailIo ?? { attn: s.attn, x: s.x, rows };
  const t = io.rows;
  const tail: ForwardStep[] = [
    // The residual add is fused into the output projections: x += attn Wo^T.
    ...linear('o', io.attn, io.x, true, t),
    ctx.kernels.rmsnorm({ x: io.x, weight: w.postNorm, y: s.xNorm, dim: c.hidden, eps: c.rmsNormEps, maxRows: t }),
    ...linear('gate', s.xNorm, s.gate, false, t),
    ...linear('up', s.xNorm, s.up, false, t),
    ctx.kernels.swiglu({ gate: s.gate, up: s.up, out: s.gate, width: c.intermediate, maxRows: t }),
    ...linear('down', s.gate, io.x, true, t),
  ];
  return { steps: [...head, ...tail], head, tail, ropes };
}
