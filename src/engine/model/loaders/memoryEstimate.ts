// GPU memory a Llama model needs before it is loaded: weights at f32/f16/q8/q4 (q8/q4 as in
// src/engine/defs/quantFormat.ts: codes plus one f32 scale per 32 weights; norms stay f32; a
// GGUF's K-quant and BF16 tensors at their stored size where they keep their layout,
// model/gpuFormat.ts) and one layer's f32
// activations for a batch (layers run one after another, so their buffers are reused), checked
// against the adapter's buffer limits. WebGPU does not report total GPU memory, so a total
// budget is checked only when the caller knows one.
import type { WeightPrecision } from '../../api';
import { formatBytes } from '../../gpu/errors';
import { ModelTooLargeError } from './errors';
import { gpuFormatFor } from '../gpuFormat';
import { weightBytes } from '../../gpu/tensor';
import { isBlockFormat } from '../../defs/blockFormats';
import type { StoredDtype } from './types';

export interface ModelShape {
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  tied: boolean;
}

export function modelShape(config: Record<string, unknown>): ModelShape {
  const n = (key: string, fallback?: number): number => {
    const v = config[key];
    if (typeof v === 'number') return v;
    if (fallback !== undefined) return fallback;
    throw new Error(`config.json has no ${key}`);
  };
  const hidden = n('hidden_size');
  const heads = n('num_attention_heads');
  return {
    vocab: n('vocab_size'),
    hidden,
    layers: n('num_hidden_layers'),
    heads,
    kvHeads: n('num_key_value_heads', heads),
    headDim: n('head_dim', hidden / heads),
    intermediate: n('intermediate_size'),
    tied: config.tie_word_embeddings === true,
  };
}

/** Bytes of a [rows, cols] matrix; q8/q4 need cols % 32 == 0 and fall back to f32 otherwise. */
export function matrixBytes(rows: number, cols: number, precision: WeightPrecision): number {
  const n = rows * cols;
  if ((precision === 'q8' || precision === 'q4') && cols % 32 !== 0) return 4 * n;
  switch (precision) {
    case 'f32': return 4 * n;
    case 'f16': return 2 * n;
    case 'q8': return n + (n / 32) * 4;
    case 'q4': return n / 2 + (n / 32) * 4;
  }
}

export interface MemoryEstimate {
  precision: WeightPrecision;
  parameters: number;
  /** Weights at the chosen precision. */
  weightsBytes: number;
  weightsByPrecision: Record<WeightPrecision, number>;
  largestWeight: { name: string; bytes: number };
  activationBytes: number;
  /** Each activation buffer, f32. */
  activations: Record<string, number>;
  largestActivation: { name: string; bytes: number };
  totalBytes: number;
  maxBatch: number;
  maxSeqLen: number;
  scoredRows: number;
  shape: ModelShape;
  /** The largest weight matrix at q4, for advice. */
  largestWeightQ4: number;
}

/** One layer's f32 activation buffers (reused layer after layer) plus the gathered logits. */
export function activationBuffers(s: ModelShape, maxBatch: number, maxSeqLen: number, scoredRows: number): Record<string, number> {
  const rows = maxBatch * maxSeqLen;
  const f = 4;
  return {
    hidden: f * rows * s.hidden,
    normed: f * rows * s.hidden,
    q: f * rows * s.heads * s.headDim,
    k: f * rows * s.kvHeads * s.headDim,
    v: f * rows * s.kvHeads * s.headDim,
    attentionScores: f * maxBatch * s.heads * maxSeqLen * maxSeqLen,
    attentionOut: f * rows * s.heads * s.headDim,
    attentionProj: f * rows * s.hidden,
    mlpGate: f * rows * s.intermediate,
    mlpUp: f * rows * s.intermediate,
    mlpAct: f * rows * s.intermediate,
    mlpOut: f * rows * s.hidden,
    logits: f * scoredRows * s.vocab,
  };
}

/** Each linear weight: [HF name, rows, cols]; the LM head only when not tied. */
function weightMatrices(s: ModelShape): [string, number, number][] {
  const q = s.heads * s.headDim;
  const kv = s.kvHeads * s.headDim;
  const out: [string, number, number][] = [['model.embed_tokens.weight', s.vocab, s.hidden]];
  for (let i = 0; i < s.layers; i++) {
    const p = `model.layers.${i}.`;
    out.push([`${p}self_attn.q_proj.weight`, q, s.hidden], [`${p}self_attn.k_proj.weight`, kv, s.hidden], [`${p}self_attn.v_proj.weight`, kv, s.hidden], [`${p}self_attn.o_proj.weight`, s.hidden, q]);
    out.push([`${p}mlp.gate_proj.weight`, s.intermediate, s.hidden], [`${p}mlp.up_proj.weight`, s.intermediate, s.hidden], [`${p}mlp.down_proj.weight`, s.hidden, s.intermediate]);
  }
  if (!s.tied) out.push(['lm_head.weight', s.vocab, s.hidden]);
  return out;
}

/**
 * What the checkpoint stores, when known: a K-quant (or BF16) tensor keeps its own layout on
 * the GPU below f32 (model/gpuFormat.ts), so a Q4_K_M file at q4 takes its real ~4.8 bits per
 * weight, not q4's 4.5. A CheckpointReader is one.
 */
export interface StoredWeights {
  tensors: ReadonlyMap<string, { dtype: StoredDtype }>;
  readBlocks?: unknown;
}

/** GPU bytes of weight `name` [rows, cols] at `precision`, in the format the builder will give it. */
function storedMatrixBytes(name: string, rows: number, cols: number, precision: WeightPrecision, stored?: StoredWeights): number {
  const dtype = stored?.tensors.get(name)?.dtype;
  if (!dtype) return matrixBytes(rows, cols, precision);
  const format = gpuFormatFor(precision, dtype, cols, stored.readBlocks !== undefined);
  return isBlockFormat(format) ? weightBytes(format, rows, cols) : matrixBytes(rows, cols, precision);
}

/** A weight's short name for messages: "q_proj", "embed_tokens", "lm_head". */
const shortName = (name: string) => name.replace(/\.weight$/, '').split('.').at(-1)!;

/**
 * `scoredRows`: rows that reach the LM head (default every position, the LM objective's
 * worst case; classification needs only maxBatch). `stored`: the checkpoint's tensor dtypes,
 * so weights kept in their stored layout are counted at their real size.
 */
export function estimateModelMemory(config: Record<string, unknown>, precision: WeightPrecision, maxBatch: number, maxSeqLen: number, scoredRows = maxBatch * maxSeqLen, stored?: StoredWeights): MemoryEstimate {
  const s = modelShape(config);
  const mats = weightMatrices(s);
  const normBytes = 4 * s.hidden * (2 * s.layers + 1);
  const bytesAt = (p: WeightPrecision) => mats.map(([name, r, c]) => ({ name: shortName(name), bytes: storedMatrixBytes(name, r, c, p, stored) }));
  const weightsByPrecision = {} as Record<WeightPrecision, number>;
  for (const p of ['f32', 'f16', 'q8', 'q4'] as const) {
    weightsByPrecision[p] = normBytes + bytesAt(p).reduce((a, m) => a + m.bytes, 0);
  }
  const largestWeight = bytesAt(precision).reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const activations = activationBuffers(s, maxBatch, maxSeqLen, scoredRows);
  const activationBytes = Object.values(activations).reduce((a, b) => a + b, 0);
  const largestActivation = Object.entries(activations).map(([name, bytes]) => ({ name, bytes })).reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const parameters = mats.reduce((a, [, r, c]) => a + r * c, 0) + s.hidden * (2 * s.layers + 1);
  const weightsBytes = weightsByPrecision[precision];
  const largestWeightQ4 = Math.max(...bytesAt('q4').map((m) => m.bytes));
  return { precision, parameters, weightsBytes, weightsByPrecision, largestWeight, activationBytes, activations, largestActivation, totalBytes: weightsBytes + activationBytes, maxBatch, maxSeqLen, scoredRows, shape: s, largestWeightQ4 };
}

export interface AdapterLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  /** Total GPU memory the caller trusts (WebGPU does not report it); unchecked when absent. */
  memoryBudgetBytes?: number;
  /** True when the model builder splits weights over several buffers (then only activations must fit one binding). */
  splitsLargeWeights?: boolean;
}

export interface FitReport {
  fits: boolean;
  problems: string[];
  advice: string;
  neededBytes: number;
  availableBytes: number;
}

/** Checks an estimate against the adapter; says what to try when it does not fit. */
export function checkFits(e: MemoryEstimate, limits: AdapterLimits): FitReport {
  const binding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const problems: string[] = [];
  const advice: string[] = [];
  let needed = 0;
  let available = binding;
  if (!limits.splitsLargeWeights && e.largestWeight.bytes > binding) {
    problems.push(`the ${e.largestWeight.name} weight needs ${formatBytes(e.largestWeight.bytes)} in one buffer at ${e.precision}, the adapter allows ${formatBytes(binding)}`);
    needed = e.largestWeight.bytes;
    advice.push(e.precision !== 'q4' && e.largestWeightQ4 <= binding ? `load it as q4 (then ${formatBytes(e.largestWeightQ4)})` : 'pick a smaller model');
  }
  if (e.largestActivation.bytes > binding) {
    problems.push(`the ${e.largestActivation.name} activation for batch ${e.maxBatch} x sequence ${e.maxSeqLen} needs ${formatBytes(e.largestActivation.bytes)}, the adapter allows ${formatBytes(binding)} per buffer`);
    needed = Math.max(needed, e.largestActivation.bytes);
    const seq = longestSequence(e, binding);
    advice.push(seq > 0 ? `use a sequence length of at most ${seq} at batch ${e.maxBatch}, or a smaller batch` : 'use a smaller batch');
  }
  if (limits.memoryBudgetBytes !== undefined && e.totalBytes > limits.memoryBudgetBytes) {
    problems.push(`weights (${formatBytes(e.weightsBytes)} at ${e.precision}) and activations (${formatBytes(e.activationBytes)}) need ${formatBytes(e.totalBytes)}, the budget is ${formatBytes(limits.memoryBudgetBytes)}`);
    needed = e.totalBytes;
    available = limits.memoryBudgetBytes;
    if (e.precision !== 'q4' && e.weightsByPrecision.q4 + e.activationBytes <= limits.memoryBudgetBytes) advice.push('load it as q4');
    else if (e.weightsByPrecision.q4 > limits.memoryBudgetBytes) advice.push('pick a smaller model');
    else advice.push('use q4 with a shorter sequence length or a smaller batch, or pick a smaller model');
  }
  const unique = [...new Set(advice)];
  return {
    fits: problems.length === 0,
    problems,
    advice: unique.length ? `Try: ${unique.join('; ')}.` : '',
    neededBytes: needed,
    availableBytes: available,
  };
}

/** The longest sequence whose largest activation buffer fits `binding` at the same batch. */
function longestSequence(e: MemoryEstimate, binding: number): number {
  const perToken = e.scoredRows === e.maxBatch * e.maxSeqLen;
  const largest = (t: number) => Math.max(...Object.values(activationBuffers(e.shape, e.maxBatch, t, perToken ? e.maxBatch * t : e.scoredRows)));
  let lo = 0;
  let hi = e.maxSeqLen;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (largest(mid) <= binding) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Throws ModelTooLargeError (needed vs available, what to try) when the estimate does not fit. */
export function assertFits(e: MemoryEstimate, limits: AdapterLimits): FitReport {
  const report = checkFits(e, limits);
  if (!report.fits) throw new ModelTooLargeError(report.neededBytes, report.availableBytes, report.problems.join('; '), report.advice);
  return report;
}
