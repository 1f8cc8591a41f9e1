// The model's shape, read from a Hugging Face config.json (LlamaForCausalLM and
// MistralForCausalLM share it). Every field the forward pass needs, with where it comes from.
import type { RopeConfig } from '../cpu/rope';
import { checkArchitecture } from './loaders/architecture';

/** A config or checkpoint the forward pass cannot run (missing keys, biases, shape mismatches). */
export class UnsupportedModelError extends Error {
  readonly kind = 'unsupported-model';
  constructor(detail: string) {
    super(`${detail}. ZO Studio runs Hugging Face Llama-family checkpoints (Llama 2/3/3.2, SmolLM/SmolLM2, TinyLlama, Mistral).`);
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
  bosId: number | null;
  eosIds: number[];
  padId: number | null;
  /** Mistral's sliding window; null = full causal attention. */
  slidingWindow: number | null;
}

export function parseLlamaConfig(raw: Record<string, unknown>): LlamaConfig {
  const architecture = checkArchitecture(raw);
  const num = (key: string, fallback?: number): number => {
    const v = raw[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (fallback !== undefined) return fallback;
    throw new UnsupportedModelError(`config.json has no numeric "${key}"`);
  };
  const hidden = num('hidden_size');
  const heads = num('num_attention_heads');
  const headDim = num('head_dim', hidden / heads);
  if (raw.attention_bias === true || raw.mlp_bias === true) {
    throw new UnsupportedModelError('Attention or MLP biases are not supported yet');
  }
  const ropeScaling = (raw.rope_scaling ?? null) as RopeConfig['ropeScaling'];
  const eos = raw.eos_token_id;
  const window = raw.sliding_window;
  return {
    architecture,
    vocabSize: num('vocab_size'),
    hidden,
    intermediate: num('intermediate_size'),
    layers: num('num_hidden_layers'),
    heads,
    kvHeads: num('num_key_value_heads', heads),
    headDim,
    rmsNormEps: num('rms_norm_eps', 1e-6),
    rope: { headDim, ropeTheta: num('rope_theta', 10000), ropeScaling },
    maxPositions: num('max_position_embeddings', 2048),
    tieWordEmbeddings: raw.tie_word_embeddings === true,
    bosId: typeof raw.bos_token_id === 'number' ? raw.bos_token_id : null,
    eosIds: Array.isArray(eos) ? (eos as number[]) : typeof eos === 'number' ? [eos] : [],
    padId: typeof raw.pad_token_id === 'number' ? raw.pad_token_id : null,
    slidingWindow: typeof window === 'number' ? window : null,
  };
}

/** Parameter count as Hugging Face reports it (lm_head counted once when tied). */
export function parameterCount(c: LlamaConfig): number {
  const attn = c.hidden * c.heads * c.headDim * 2 + c.hidden * c.kvHeads * c.headDim * 2;
  const mlp = 3 * c.hidden * c.intermediate;
  const norms = 2 * c.hidden;
  const embed = c.vocabSize * c.hidden;
  return c.layers * (attn + mlp + norms) + embed + (c.tieWordEmbeddings ? 0 : embed) + c.hidden;
}
