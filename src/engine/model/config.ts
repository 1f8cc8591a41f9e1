// The model's shape, read from a Hugging Face config.json (LlamaForCausalLM, MistralForCausalLM
// and Qwen2ForCausalLM share it). Every field the forward pass needs, with where it comes from.
import { ropeInvFreq, type RopeConfig } from '../cpu/rope';
import { checkArchitecture } from './loaders/architecture';

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
   * Mistral's sliding window (each token attends to the last slidingWindow tokens); null = full
   * causal attention. The forward pass computes full attention, which is the same thing for
   * sequences up to this length, and refuses longer ones (LlamaForward, KvDecoder).
   */
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
  const qwen2 = architecture === 'Qwen2ForCausalLM';
  // Llama's attention_bias also puts a bias on o_proj, which the forward pass does not add.
  if ((!qwen2 && raw.attention_bias === true) || raw.mlp_bias === true) {
    throw new UnsupportedModelError('Biases on the attention output or the MLP are not supported (only Qwen2-style q/k/v biases are)');
  }
  const ropeScaling = (raw.rope_scaling ?? null) as RopeConfig['ropeScaling'];
  // Not an HF key: the GGUF loader puts a file's rope_freqs tensor here (see ggufLlama.ts).
  const freqFactors = Array.isArray(raw.rope_freq_factors) ? (raw.rope_freq_factors as number[]) : null;
  const rope: RopeConfig = { headDim, ropeTheta: num('rope_theta', 10000), ropeScaling, freqFactors };
  try {
    ropeInvFreq(rope);
  } catch (e) {
    throw new UnsupportedModelError(`config.json ${(e as Error).message.replace(/^rope: /, '')}`);
  }
  const eos = raw.eos_token_id;
  // HF's LlamaForCausalLM ignores sliding_window; MistralForCausalLM applies it; Qwen2 only
  // with use_sliding_window (then on layers from max_window_layers on: refusing any sequence
  // longer than the window covers them all).
  const windowed = architecture === 'MistralForCausalLM' || (qwen2 && raw.use_sliding_window === true);
  const window = windowed ? raw.sliding_window : null;
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
    rope,
    maxPositions: num('max_position_embeddings', 2048),
    tieWordEmbeddings: raw.tie_word_embeddings === true,
    qkvBias: qwen2,
    bosId: typeof raw.bos_token_id === 'number' ? raw.bos_token_id : null,
    eosIds: Array.isArray(eos) ? (eos as number[]) : typeof eos === 'number' ? [eos] : [],
    padId: typeof raw.pad_token_id === 'number' ? raw.pad_token_id : null,
    slidingWindow: typeof window === 'number' ? window : null,
  };
}

/**
 * Refuses sequences longer than a sliding window: the kernels attend to every earlier token,
 * which equals Mistral's windowed attention only while the sequence fits in the window.
 */
export function checkSlidingWindow(c: LlamaConfig, tokens: number): void {
  if (c.slidingWindow === null || tokens <= c.slidingWindow) return;
  throw new Error(
    `this model attends only to the last ${c.slidingWindow} tokens (config.json sliding_window, as Mistral v0.1 does) and ZO Studio ` +
      `computes full attention, which is exact only up to ${c.slidingWindow} tokens; ${tokens} were asked for. ` +
      `Use sequences of at most ${c.slidingWindow} tokens (shorter examples, a smaller generation length).`,
  );
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
