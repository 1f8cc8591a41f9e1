// Small Llama-family models worth trying in the browser, offered in the Hub box before any
// network request (as LM Studio and WebLLM do). Each entry holds the shape fields of the
// repository's own config.json (copied from the Hub), so sizes are counted from the shapes
// by the same estimate the loader uses, never typed in as byte figures.
import type { WeightPrecision } from '../api';
import { checkFits, estimateModelMemory, type AdapterLimits } from './loaders/memoryEstimate';

export interface SuggestedModel {
  repo: string;
  /** What it is, in a few words. */
  note: string;
  /** Needs an accepted license and an access token. */
  gated: boolean;
  /** The shape fields of the repository's config.json. */
  config: Record<string, unknown>;
}

const llama = { architectures: ['LlamaForCausalLM'], model_type: 'llama', rms_norm_eps: 1e-5 };

export const SUGGESTED_MODELS: SuggestedModel[] = [
  {
    repo: 'HuggingFaceTB/SmolLM2-135M',
    note: 'smallest; trains fastest',
    gated: false,
    config: { ...llama, vocab_size: 49152, hidden_size: 576, intermediate_size: 1536, num_hidden_layers: 30, num_attention_heads: 9, num_key_value_heads: 3, max_position_embeddings: 8192, rope_theta: 100000, tie_word_embeddings: true },
  },
  {
    repo: 'HuggingFaceTB/SmolLM2-360M',
    note: 'small, noticeably better text',
    gated: false,
    config: { ...llama, vocab_size: 49152, hidden_size: 960, intermediate_size: 2560, num_hidden_layers: 32, num_attention_heads: 15, num_key_value_heads: 5, max_position_embeddings: 8192, rope_theta: 100000, tie_word_embeddings: true },
  },
  {
    repo: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
    note: '1.1B chat model, Llama 2 tokenizer',
    gated: false,
    config: { ...llama, vocab_size: 32000, hidden_size: 2048, intermediate_size: 5632, num_hidden_layers: 22, num_attention_heads: 32, num_key_value_heads: 4, max_position_embeddings: 2048, rope_theta: 10000, tie_word_embeddings: false },
  },
  {
    repo: 'meta-llama/Llama-3.2-1B',
    note: 'Llama 3.2; gated: accept the license, give a token',
    gated: true,
    config: {
      ...llama, vocab_size: 128256, hidden_size: 2048, intermediate_size: 8192, num_hidden_layers: 16, num_attention_heads: 32, num_key_value_heads: 8, head_dim: 64,
      max_position_embeddings: 131072, rope_theta: 500000, tie_word_embeddings: true,
      rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
    },
  },
];

export interface SuggestionSizes {
  parameters: number;
  /** Weights at each precision, and whether that load fits this adapter's buffers. */
  byPrecision: Record<WeightPrecision, { weightsBytes: number; totalBytes: number; fits: boolean }>;
}

/** Sizes of a suggested model at every precision for this batch and sequence length, checked against the adapter. */
export function suggestionSizes(model: SuggestedModel, limits: AdapterLimits, maxBatch: number, maxSeqLen: number): SuggestionSizes {
  const byPrecision = {} as SuggestionSizes['byPrecision'];
  let parameters = 0;
  for (const precision of ['f32', 'f16', 'q8', 'q4'] as const) {
    const e = estimateModelMemory(model.config, precision, maxBatch, maxSeqLen);
    parameters = e.parameters;
    byPrecision[precision] = { weightsBytes: e.weightsBytes, totalBytes: e.totalBytes, fits: checkFits(e, limits).fits };
  }
  return { parameters, byPrecision };
}
