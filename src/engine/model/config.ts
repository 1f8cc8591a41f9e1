// The model's shape, read from a Hugging Face config.json (LlamaForCausalLM, MistralForCausalLM
// and Qwen2ForCausalLM share it). Every field the forward pass needs, with where it comes from.
import { ropeInvFreq, SUPPORTED_ROPE_TYPES, type RopeConfig } from '../cpu/rope';
import { checkArchitecture } from './loaders/architecture';
import { FieldReader } from '../files/fields';

/** A config or checkpoint the forward pass cannot run (missing keys, biases, shape mismatches). */
export class UnsupportedModelError extends Error {
  readonly kind = 'unsupported-model';
  constructor(detail: string) {
    super(`${detail}. ZO Studio runs Hugging Face Llama-family checkpoints (Llama 2/3/3.2, SmolLM/SmolLM2, TinyLlama, Mistral, Qwen2/Qwen2.5).`);
    this.name = 'UnsupportedModelError';
  }
}

export interface LlamaConfig {
  architecture: string;
  vocabSize: number; // rows of embed_tokens and lm_head
  hidden: number; // hidden_size: width of the residual stream
  intermediate: number; // intermediate_size: width of the SwiGLU MLP
  layers: number; // num_hidden_layers
  heads: number; // num_attention_heads
  kvHeads: number; // num_key_value_heads (grouped-query attention; = heads without GQA)
  headDim: number; // head_dim, or hidden / heads when absent
  rmsNormEps: number; // rms_norm_eps
  rope: RopeConfig; // rope_theta and rope_scaling
  maxPositions: number; // max_position_embeddings
  tieWordEmbeddings: boolean; // lm_head shares embed_tokens
  /** q/k/v projections carry biases (Qwen2ForCausalLM always; o_proj and the MLP never). */
  qkvBias: boolean;
  bosId: number | null;
  eosIds: number[];
  padId: number | null;
  /**
   * Sliding-window attention (each token attends to the last slidingWindow tokens, itself
   * included): Mistral v0.1 on every layer, Qwen2 with use_sliding_window on layers from
   * slidingWindowFromLayer (max_window_layers) on; null = full causal attention everywhere.
   */
  slidingWindow: number | null;
  slidingWindowFromLayer: number;
}

/**
 * Every config.json field the forward pass uses, type- and range-checked: a value out of range
 * (rope_theta <= 0, a negative rms_norm_eps, heads that do not divide, a token id outside the
 * vocabulary) is an InvalidFileError naming `file` and the field, never NaN logits later.
 * Fields the checkpoint also determines (layers, vocabulary) are checked against it in
 * checkpointTensors.ts. `file` names where the values came from (config.json, or a .gguf's metadata).
 */
export function parseLlamaConfig(raw: Record<string, unknown>, file = 'config.json'): LlamaConfig {
  const f = new FieldReader(file);
  f.object(raw, 'the file');
  const architecture = checkArchitecture(raw);
  const given = (key: string) => raw[key] !== undefined && raw[key] !== null;
  // Absent keys take transformers' defaults; null counts as absent only where transformers accepts None.
  const count = (key: string, fallback?: number, nullable = false): number =>
    fallback !== undefined && (raw[key] === undefined || (nullable && raw[key] === null)) ? fallback : f.integer(raw[key], key, 1);
  const positive = (key: string, fallback: number): number => (raw[key] === undefined ? fallback : f.number(raw[key], key, { above: 0 }));

  const qwen2 = architecture === 'Qwen2ForCausalLM';
  // Llama's attention_bias also puts a bias on o_proj, which the forward pass does not add.
  if ((!qwen2 && raw.attention_bias === true) || raw.mlp_bias === true) {
    throw new UnsupportedModelError('Biases on the attention output or the MLP are not supported (only Qwen2-style q/k/v biases are)');
  }
  if (given('hidden_act') && raw.hidden_act !== 'silu') throw new UnsupportedModelError(`hidden_act "${String(raw.hidden_act)}" is not supported (Llama uses "silu")`);
  const vocabSize = count('vocab_size');
  const hidden = count('hidden_size');
  const heads = count('num_attention_heads');
  const kvHeads = count('num_key_value_heads', heads, true);
  if (heads % kvHeads !== 0) f.fail('num_key_value_heads', `a divisor of num_attention_heads (${heads})`, kvHeads);
  let headDim: number;
  if (given('head_dim')) headDim = f.integer(raw.head_dim, 'head_dim', 2);
  else {
    if (hidden % heads !== 0) f.fail('hidden_size', `a multiple of num_attention_heads (${heads}) when head_dim is not given`, hidden);
    headDim = hidden / heads;
  }
  if (headDim % 2 !== 0) f.fail(given('head_dim') ? 'head_dim' : 'hidden_size / num_attention_heads', 'an even head dimension (RoPE rotates pairs of features)', headDim);
  const maxPositions = count('max_position_embeddings', 2048);
  const tokenId = (value: unknown, path: string) => f.integer(value, path, 0, vocabSize - 1);
  // Old Llama conversions write pad_token_id -1 for "no padding token"; any other id must be a token.
  const pad = raw.pad_token_id === -1 || !given('pad_token_id') ? null : tokenId(raw.pad_token_id, 'pad_token_id');
  const eos = raw.eos_token_id;
  const eosIds = !given('eos_token_id') ? [] : Array.isArray(eos) ? eos.map((id, i) => tokenId(id, `eos_token_id[${i}]`)) : [tokenId(eos, 'eos_token_id')];
  const rope: RopeConfig = {
    headDim,
    ropeTheta: positive('rope_theta', 10000),
    ropeScaling: parseRopeScaling(f, raw.rope_scaling, maxPositions),
    freqFactors: parseFreqFactors(f, raw.rope_freq_factors),
  };
  try {
    ropeInvFreq(rope);
  } catch (e) {
    throw new UnsupportedModelError(`${file} ${(e as Error).message.replace(/^rope: /, '')}`);
  }
  // Validated for every architecture. HF's LlamaForCausalLM ignores sliding_window;
  // MistralForCausalLM applies it on every layer; Qwen2 only with use_sliding_window, and then
  // on the layers from max_window_layers (default 28) on.
  const window = given('sliding_window') ? f.integer(raw.sliding_window, 'sliding_window', 1) : null;
  const windowed = architecture === 'MistralForCausalLM' || (qwen2 && raw.use_sliding_window === true);
  const windowFrom = qwen2 ? (given('max_window_layers') ? f.integer(raw.max_window_layers, 'max_window_layers', 0) : 28) : 0;
  return {
    architecture,
    vocabSize,
    hidden,
    intermediate: count('intermediate_size'),
    layers: count('num_hidden_layers'),
    heads,
    kvHeads,
    headDim,
    rmsNormEps: positive('rms_norm_eps', 1e-6),
    rope,
    maxPositions,
    tieWordEmbeddings: given('tie_word_embeddings') ? f.boolean(raw.tie_word_embeddings, 'tie_word_embeddings') : false,
    qkvBias: qwen2,
    bosId: given('bos_token_id') ? tokenId(raw.bos_token_id, 'bos_token_id') : null,
    eosIds,
    padId: pad,
    slidingWindow: windowed ? window : null,
    slidingWindowFromLayer: windowFrom,
  };
}

/** A GGUF's rope_freqs tensor (not an HF key; ggufLlama.ts puts it here): positive divisors. */
function parseFreqFactors(f: FieldReader, value: unknown): number[] | null {
  if (value === undefined || value === null) return null;
  // Its length is checked by the rope itself (ropeInvFreq), which names both counts.
  return f.array(value, 'rope_freq_factors').map((x, i) => f.number(x, `rope_freq_factors[${i}]`, { above: 0 }));
}

/** rope_scaling: null, or an object whose type the forward pass implements with its fields in range. */
function parseRopeScaling(f: FieldReader, value: unknown, maxPositions: number): RopeConfig['ropeScaling'] {
  if (value === undefined || value === null) return null;
  const o = f.object(value, 'rope_scaling');
  const typeKey = o.rope_type !== undefined ? 'rope_type' : 'type';
  const type = o[typeKey] === undefined ? 'default' : f.string(o[typeKey], `rope_scaling.${typeKey}`);
  if (type === 'default') return null;
  if (!(SUPPORTED_ROPE_TYPES as readonly string[]).includes(type)) {
    throw new UnsupportedModelError(`rope_scaling type '${type}' is not supported (supported: ${SUPPORTED_ROPE_TYPES.join(', ')})`);
  }
  const factor = f.number(o.factor, 'rope_scaling.factor', { above: 0 });
  if (type !== 'llama3') return { ...o, [typeKey]: type, factor };
  const low = f.number(o.low_freq_factor, 'rope_scaling.low_freq_factor', { above: 0 });
  const high = f.number(o.high_freq_factor, 'rope_scaling.high_freq_factor', { above: low });
  const original = f.integer(o.original_max_position_embeddings, 'rope_scaling.original_max_position_embeddings', 1, maxPositions);
  return { ...o, [typeKey]: type, factor, low_freq_factor: low, high_freq_factor: high, original_max_position_embeddings: original };
}

/** The sliding window of layer `layer` (keys each query sees), or 0 for full causal attention. */
export function layerWindow(c: LlamaConfig, layer: number): number {
  return c.slidingWindow !== null && layer >= c.slidingWindowFromLayer ? c.slidingWindow : 0;
}

/** Parameter count as Hugging Face reports it (lm_head counted once when tied). */
export function parameterCount(c: LlamaConfig): number {
  const attn = c.hidden * c.heads * c.headDim * 2 + c.hidden * c.kvHeads * c.headDim * 2;
  const mlp = 3 * c.hidden * c.intermediate;
  const norms = 2 * c.hidden;
  const biases = c.qkvBias ? (c.heads + 2 * c.kvHeads) * c.headDim : 0;
  const embed = c.vocabSize * c.hidden;
  return c.layers * (attn + mlp + norms + biases) + embed + (c.tieWordEmbeddings ? 0 : embed) + c.hidden;
}
