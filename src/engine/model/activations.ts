// Every activation buffer of the forward pass, allocated once for the largest batch x
// sequence the model was loaded for and reused by every call (llama2.c's RunState).
import type { GpuContext } from '../gpu/context';
import type { LlamaConfig } from './config';

export interface RunLimits {
  maxBatch: number;
  maxSeqLen: number;
  /** Most scored positions per call (rows whose logits are computed). */
  maxPositions: number;
  /** Most candidate tokens scored per position. */
  maxCandidates: number;
}

export interface Activations {
  limits: RunLimits;
  ids: GPUBuffer; // u32 [maxRows]
  x: GPUBuffer; // f32 [maxRows, hidden]: the residual stream
  xNorm: GPUBuffer; // f32 [maxRows, hidden]
  q: GPUBuffer; // f32 [maxRows, heads*headDim]
  k: GPUBuffer; // f32 [maxRows, kvHeads*headDim]
  v: GPUBuffer; // f32 [maxRows, kvHeads*headDim]
  attn: GPUBuffer; // f32 [maxRows, heads*headDim]
  gate: GPUBuffer; // f32 [maxRows, intermediate]; holds silu(gate)*up after SwiGLU
  up: GPUBuffer; // f32 [maxRows, intermediate]
  positions: GPUBuffer; // u32 [maxPositions]: rows of x whose next token is scored
  gathered: GPUBuffer; // f32 [maxPositions, hidden]
  gatheredNorm: GPUBuffer; // f32 [maxPositions, hidden]
  logits: GPUBuffer; // f32 [maxPositions, vocab]: only at scored positions
  targets: GPUBuffer; // u32 [maxPositions, maxCandidates]
  logprobs: GPUBuffer; // f32 [maxPositions, maxCandidates]
}

export function allocateActivations(ctx: GpuContext, c: LlamaConfig, limits: RunLimits): Activations {
  const rows = limits.maxBatch * limits.maxSeqLen;
  const P = limits.maxPositions;
  const f32 = (label: string, n: number) => ctx.createStorage(label, n * 4, 'activations');
  return {
    limits,
    ids: f32('ids', rows),
    x: f32('x', rows * c.hidden),
    xNorm: f32('xNorm', rows * c.hidden),
    q: f32('q', rows * c.heads * c.headDim),
    k: f32('k', rows * c.kvHeads * c.headDim),
    v: f32('v', rows * c.kvHeads * c.headDim),
    attn: f32('attn', rows * c.heads * c.headDim),
    gate: f32('gate', rows * c.intermediate),
    up: f32('up', rows * c.intermediate),
    positions: f32('positions', P),
    gathered: f32('gathered', P * c.hidden),
    gatheredNorm: f32('gatheredNorm', P * c.hidden),
    logits: f32('logits', P * c.vocabSize),
    targets: f32('targets', P * limits.maxCandidates),
    logprobs: f32('logprobs', P * limits.maxCandidates),
  };
}

export function activationsBytes(c: LlamaConfig, limits: RunLimits): number {
  const rows = limits.maxBatch * limits.maxSeqLen;
  const P = limits.maxPositions;
  const perRow = 1 + 2 * c.hidden + 2 * c.heads * c.headDim + 2 * c.kvHeads * c.headDim + 2 * c.intermediate;
  const perPos = 1 + 2 * c.hidden + c.vocabSize + 2 * limits.maxCandidates;
  return 4 * (rows * perRow + P * perPos);
}

export function releaseActivations(ctx: GpuContext, s: Activations): void {
  for (const [key, value] of Object.entries(s)) if (key !== 'limits') ctx.release(value as GPUBuffer);
}
