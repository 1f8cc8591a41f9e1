// Every activation buffer of the forward pass, allocated once for the largest batch x
// sequence the model was loaded for and reused by every call (llama2.c's RunState).
import type { Backend } from '../gpu/backend';
import type { LlamaConfig } from './config';
import type { DeviceBuffer } from '../gpu/device';

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
  ids: DeviceBuffer; // u32 [maxRows]
  x: DeviceBuffer; // f32 [maxRows, hidden]: the residual stream
  xNorm: DeviceBuffer; // f32 [maxRows, hidden]
  q: DeviceBuffer; // f32 [maxRows, heads*headDim]
  k: DeviceBuffer; // f32 [maxRows, kvHeads*headDim]
  v: DeviceBuffer; // f32 [maxRows, kvHeads*headDim]
  attn: DeviceBuffer; // f32 [maxRows, heads*headDim]
  gate: DeviceBuffer; // f32 [maxRows, intermediate]; holds silu(gate)*up after SwiGLU
  up: DeviceBuffer; // f32 [maxRows, intermediate]
  positions: DeviceBuffer; // u32 [maxPositions]: rows of x whose next token is scored
  gathered: DeviceBuffer; // f32 [maxPositions, hidden]
  gatheredNorm: DeviceBuffer; // f32 [maxPositions, hidden]
  logits: DeviceBuffer; // f32 [maxPositions, vocab]: only at scored positions
  targets: DeviceBuffer; // u32 [maxPositions, maxCandidates]
  logprobs: DeviceBuffer; // f32 [maxPositions, maxCandidates]
}

export function allocateActivations(ctx: Backend, c: LlamaConfig, limits: RunLimits): Activations {
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

export function releaseActivations(ctx: Backend, s: Activations): void {
  for (const [key, value] of Object.entries(s)) if (key !== 'limits') ctx.release(value as DeviceBuffer);
}
