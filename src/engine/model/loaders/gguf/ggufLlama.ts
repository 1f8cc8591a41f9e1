// A GGUF llama (or qwen2) checkpoint as a CheckpointReader in Hugging Face terms: llama.cpp
// tensor names (convert_hf_to_gguf.py / gguf-py tensor_mapping.py) mapped back to HF names,
// `llama.*` / `qwen2.*` metadata translated to a config.json object, shapes un-reversed, and for
// llama the q/k row permutation of LlamaModel.permute undone so RoPE sees the HF rotate_half
// layout (the converter does not permute qwen2, which llama.cpp ropes in the NeoX layout).
// RoPE scaling comes from <arch>.rope.scaling.* (linear) or, for Llama 3.x, from the
// rope_freqs.weight tensor that convert_hf_to_gguf.py writes instead of any metadata
// (per-frequency divisors).
import type { ByteSource } from '../byteSource';
import type { CheckpointReader, TensorInfo } from '../types';
import { UnsupportedArchitectureError, UnsupportedDtypeError } from '../errors';
import { GGML_TYPES, GGML_TYPE_NAMES, SUPPORTED_GGML, decodeGgml, repackGgml, type GgmlType } from './ggufBlocks';
import { GgufFormatError, metadataNumber, readGgufHeader, type GgufHeader } from './ggufFile';
import { permuteRows, unpermuteRows } from './ropePermute';

const LAYER_NAMES: Record<string, string> = {
  attn_norm: 'input_layernorm',
  attn_q: 'self_attn.q_proj',
  attn_k: 'self_attn.k_proj',
  attn_v: 'self_attn.v_proj',
  attn_output: 'self_attn.o_proj',
  ffn_norm: 'post_attention_layernorm',
  ffn_gate: 'mlp.gate_proj',
  ffn_up: 'mlp.up_proj',
  ffn_down: 'mlp.down_proj',
};
const GLOBAL_NAMES: Record<string, string> = {
  'token_embd.weight': 'model.embed_tokens.weight',
  'output_norm.weight': 'model.norm.weight',
  'output.weight': 'lm_head.weight',
};

/** Llama 3.x rope scaling as llama.cpp's converter stores it: F32 [headDim / 2] frequency divisors. */
export const ROPE_FREQS_TENSOR = 'rope_freqs.weight';

/** llama.cpp tensor name -> HF name; unknown names are kept as they are. */
export function hfTensorName(gguf: string): string {
  if (GLOBAL_NAMES[gguf]) return GLOBAL_NAMES[gguf];
  const m = /^blk\.(\d+)\.([a-z_]+)\.(weight|bias)$/.exec(gguf);
  if (m && LAYER_NAMES[m[2]]) return `model.layers.${m[1]}.${LAYER_NAMES[m[2]]}.${m[3]}`;
  return gguf;
}


/** general.architecture values that load, as HF architectures; `permuted`: q/k rows permuted by the converter. */
const GGUF_ARCHITECTURES: Record<string, { hf: string; modelType: string; permuted: boolean }> = {
  llama: { hf: 'LlamaForCausalLM', modelType: 'llama', permuted: true },
  qwen2: { hf: 'Qwen2ForCausalLM', modelType: 'qwen2', permuted: false },
};

/** The file's general.architecture (its metadata key prefix), or UnsupportedArchitectureError. */
function ggufArchitecture(h: GgufHeader): string {
  const arch = h.metadata.get('general.architecture');
  if (typeof arch !== 'string' || !GGUF_ARCHITECTURES[arch]) throw new UnsupportedArchitectureError(`GGUF general.architecture "${String(arch)}"`);
  return arch;
}

/**
 * The HF config.json equivalent of a llama GGUF's metadata. `ropeFreqs` is the file's
 * rope_freqs.weight tensor when it has one; it becomes `rope_freq_factors` (not an HF key:
 * parseLlamaConfig hands it to the rope as llama.cpp's per-frequency divisors).
 */
export function ggufToHfConfig(h: GgufHeader, file: string, ropeFreqs?: Float32Array): Record<string, unknown> {
  const md = h.metadata;
  const arch = ggufArchitecture(h);
  const { hf, modelType } = GGUF_ARCHITECTURES[arch];
  const get = (key: string) => metadataNumber(h, `${arch}.${key}`, file);
  const need = (key: string): number => {
    const v = get(key);
    if (v === undefined) throw new GgufFormatError(file, `metadata ${arch}.${key} is missing`);
    return v;
  };
  const hidden = need('embedding_length');
  const heads = need('attention.head_count');
  const embd = h.tensors.find((t) => t.name === 'token_embd.weight');
  const tokens = md.get('tokenizer.ggml.tokens');
  const vocab = get('vocab_size') ?? (Array.isArray(tokens) ? tokens.length : embd?.dims[1]);
  if (vocab === undefined) throw new GgufFormatError(file, `the vocabulary size is unknown (no ${arch}.vocab_size, tokenizer.ggml.tokens or token_embd.weight)`);
  const config: Record<string, unknown> = {
    architectures: [hf],
    model_type: modelType,
    vocab_size: vocab,
    hidden_size: hidden,
    intermediate_size: need('feed_forward_length'),
    num_hidden_layers: need('block_count'),
    num_attention_heads: heads,
    num_key_value_heads: get('attention.head_count_kv') ?? heads,
    head_dim: get('attention.key_length') ?? hidden / heads,
    max_position_embeddings: need('context_length'),
    rms_norm_eps: get('attention.layer_norm_rms_epsilon') ?? 1e-5,
    rope_theta: get('rope.freq_base') ?? 10000,
    rope_scaling: null,
    hidden_act: 'silu',
    mlp_bias: false,
    tie_word_embeddings: !h.tensors.some((t) => t.name === 'output.weight'),
    torch_dtype: 'float32',
  };
  if (arch === 'llama') config.attention_bias = false;
  const ropeDims = get('rope.dimension_count');
  if (ropeDims !== undefined && ropeDims !== config.head_dim) {
    throw new GgufFormatError(file, `${arch}.rope.dimension_count ${ropeDims} differs from the head size ${String(config.head_dim)} (partial rotary embeddings are not a Llama model; ZO Studio cannot run it)`);
  }
  config.rope_scaling = ropeScalingFromMetadata(h, arch, file);
  if (ropeFreqs) config.rope_freq_factors = Array.from(ropeFreqs);
  for (const [key, hf] of [['bos', 'bos_token_id'], ['eos', 'eos_token_id'], ['padding', 'pad_token_id']] as const) {
    const id = metadataNumber(h, `tokenizer.ggml.${key}_token_id`, file);
    if (id !== undefined) config[hf] = id;
  }
  const name = md.get('general.name');
  if (typeof name === 'string') config._name_or_path = name;
  return config;
}

/**
 * <arch>.rope.scaling.* as an HF rope_scaling object (null = none). Types other than linear are
 * passed on by name so parseLlamaConfig refuses them with the list it supports.
 */
function ropeScalingFromMetadata(h: GgufHeader, arch: string, file: string): Record<string, unknown> | null {
  const md = h.metadata;
  const type = md.get(`${arch}.rope.scaling.type`);
  // Files from before the scaling.* keys stored a linear factor as <arch>.rope.scale_linear.
  const legacyLinear = metadataNumber(h, `${arch}.rope.scale_linear`, file);
  const factor = metadataNumber(h, `${arch}.rope.scaling.factor`, file) ?? legacyLinear;
  if (type === undefined || type === 'none') {
    return legacyLinear !== undefined && legacyLinear !== 1 ? { rope_type: 'linear', factor: legacyLinear } : null;
  }
  if (type === 'linear' && factor === 1) return null; // llama.cpp's converter marks some models so
  const scaling: Record<string, unknown> = { rope_type: String(type), factor };
  const original = metadataNumber(h, `${arch}.rope.scaling.original_context_length`, file);
  if (original !== undefined) scaling.original_max_position_embeddings = original;
  return scaling;
}

interface Entry extends TensorInfo {
  type: GgmlType;
  offset: number;
  /** Heads for the q/k un-permutation, or 0. */
  permuteHeads: number;
}

export async function openGguf(source: ByteSource): Promise<CheckpointReader & { header: GgufHeader }> {
  const header = await readGgufHeader(source);
  const config = ggufToHfConfig(header, source.name, await readRopeFreqs(source, header));
  const permuted = GGUF_ARCHITECTURES[ggufArchitecture(header)].permuted;
  const heads = permuted ? (config.num_attention_heads as number) : 0;
  const kvHeads = permuted ? (config.num_key_value_heads as number) : 0;
  const tensors = new Map<string, Entry>();
  const ranges: [number, number, string][] = [];
  for (const t of header.tensors) {
    if (t.name === ROPE_FREQS_TENSOR) continue; // read above into config.rope_freq_factors
    const type = GGML_TYPES[t.type];
    if (!type) {
      throw new UnsupportedDtypeError(source.name, t.name, GGML_TYPE_NAMES[t.type] ?? `ggml type ${t.type}`, SUPPORTED_GGML,
        'Download a GGUF quantized as Q8_0, Q4_0, Q4_K_M, Q5_K_M or Q6_K, or the F16/BF16 one, or load the original safetensors model.');
    }
    const count = t.dims.reduce((a, b) => a * b, 1);
    if (t.dims[0] % type.blockElems !== 0) throw new GgufFormatError(source.name, `tensor ${t.name} rows of ${t.dims[0]} are not whole ${type.dtype} blocks of ${type.blockElems}`);
    const byteLength = (count / type.blockElems) * type.blockBytes;
    if (t.offset + byteLength > source.size) throw new GgufFormatError(source.name, `tensor ${t.name} (${byteLength} bytes at ${t.offset}) runs past the end of the ${source.size}-byte file (truncated download?)`);
    ranges.push([t.offset, t.offset + byteLength, t.name]);
    const name = hfTensorName(t.name);
    const permuteHeads = /self_attn\.q_proj\.weight$/.test(name) ? heads : /self_attn\.k_proj\.weight$/.test(name) ? kvHeads : 0;
    tensors.set(name, { name, shape: [...t.dims].reverse(), dtype: type.dtype, byteLength, type, offset: t.offset, permuteHeads });
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] < ranges[i - 1][1]) throw new GgufFormatError(source.name, `tensors ${ranges[i - 1][2]} and ${ranges[i][2]} overlap`);
  }
  const entry = (name: string): Entry => {
    const e = tensors.get(name);
    if (!e) throw new Error(`tensor ${name} is not in ${source.name}`);
    return e;
  };
  /** [rows, cols] of a tensor in HF layout: cols is the innermost GGUF dimension. */
  const matrix = (e: Entry): [number, number] => {
    const cols = e.shape[e.shape.length - 1];
    return [e.byteLength / e.type.blockBytes * e.type.blockElems / cols, cols];
  };
  return {
    header,
    config,
    tensors: tensors as ReadonlyMap<string, TensorInfo>,
    async readF32(name) {
      const e = entry(name);
      const [rows, cols] = matrix(e);
      const values = decodeGgml(e.type, await source.read(e.offset, e.byteLength), rows * cols);
      return e.permuteHeads ? unpermuteRows(values, rows, cols, e.permuteHeads) : values;
    },
    async readQuantized(name) {
      const e = entry(name);
      if (e.dtype !== 'Q8_0' && e.dtype !== 'Q4_0') return null;
      const [rows, cols] = matrix(e);
      const m = repackGgml(e.type, await source.read(e.offset, e.byteLength), rows, cols);
      if (!e.permuteHeads) return m;
      return { ...m, data: unpermuteRows(m.data, rows, m.data.length / rows, e.permuteHeads), scales: unpermuteRows(m.scales, rows, cols / 32, e.permuteHeads) };
    },
    async readBlocks(name) {
      const e = entry(name);
      if (!e.type.block) return null;
      const [rows, cols] = matrix(e);
      const bytes = await source.read(e.offset, e.byteLength);
      return { format: e.type.block, rows, cols, bytes: e.permuteHeads ? unpermuteRows(bytes, rows, e.byteLength / rows, e.permuteHeads) : bytes };
    },
    async close() {
      await source.close?.();
    },
  };
}

/** The rope_freqs.weight tensor (F32 [headDim / 2], as the converter writes it), or undefined. */
async function readRopeFreqs(source: ByteSource, h: GgufHeader): Promise<Float32Array | undefined> {
  const t = h.tensors.find((x) => x.name === ROPE_FREQS_TENSOR);
  if (!t) return undefined;
  if (t.type !== 0 || t.dims.length !== 1) {
    throw new GgufFormatError(source.name, `${ROPE_FREQS_TENSOR} is a ${t.dims.length}-D ${GGML_TYPE_NAMES[t.type] ?? `type ${t.type}`} tensor; llama.cpp writes it as a 1-D F32 vector`);
  }
  const bytes = t.dims[0] * 4;
  if (t.offset + bytes > source.size) throw new GgufFormatError(source.name, `tensor ${t.name} (${bytes} bytes at ${t.offset}) runs past the end of the ${source.size}-byte file (truncated download?)`);
  return decodeGgml(GGML_TYPES[0]!, await source.read(t.offset, bytes), t.dims[0]);
}

export { permuteRows, unpermuteRows };
