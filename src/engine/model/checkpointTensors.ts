// The checkpoint checked against its config before anything is uploaded: every tensor the
// forward pass reads must be there with the shape the config implies (a missing lm_head.weight
// of an untied model is an error, not the embedding silently reused), the number of layers in
// the config must match the layers the checkpoint holds, and tensors the model does not use
// come back as warnings listing them, which the CLI prints and the app shows after loading.
import { InvalidFileError } from '../files/invalidFile';
import { ROPE_FREQS_TENSOR } from './loaders/gguf/ggufLlama';
import type { ResolvedModel } from './loaders/resolveModel';
import type { TensorInfo } from './loaders/types';
import { parseLlamaConfig, type LlamaConfig } from './config';

/** Every tensor the forward pass reads, Hugging Face name -> shape, in load order. */
export function expectedTensors(c: LlamaConfig): Map<string, number[]> {
  const out = new Map<string, number[]>([['model.embed_tokens.weight', [c.vocabSize, c.hidden]]]);
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  for (let i = 0; i < c.layers; i++) {
    const p = `model.layers.${i}.`;
    out.set(`${p}input_layernorm.weight`, [c.hidden]);
    out.set(`${p}self_attn.q_proj.weight`, [q, c.hidden]);
    out.set(`${p}self_attn.k_proj.weight`, [kv, c.hidden]);
    out.set(`${p}self_attn.v_proj.weight`, [kv, c.hidden]);
    if (c.qkvBias) {
      // Qwen2's projection biases.
      out.set(`${p}self_attn.q_proj.bias`, [q]);
      out.set(`${p}self_attn.k_proj.bias`, [kv]);
      out.set(`${p}self_attn.v_proj.bias`, [kv]);
    }
    out.set(`${p}self_attn.o_proj.weight`, [c.hidden, q]);
    out.set(`${p}post_attention_layernorm.weight`, [c.hidden]);
    out.set(`${p}mlp.gate_proj.weight`, [c.intermediate, c.hidden]);
    out.set(`${p}mlp.up_proj.weight`, [c.intermediate, c.hidden]);
    out.set(`${p}mlp.down_proj.weight`, [c.hidden, c.intermediate]);
  }
  out.set('model.norm.weight', [c.hidden]);
  if (!c.tieWordEmbeddings) out.set('lm_head.weight', [c.vocabSize, c.hidden]);
  return out;
}

/** Tensors a checkpoint may hold that the model derives instead of reading (no warning). */
function derived(name: string, c: LlamaConfig): boolean {
  // Older exports keep RoPE's inverse frequencies as a buffer; they are recomputed from rope_theta.
  if (/^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/.test(name)) return true;
  // A Llama 3 GGUF stores its rope scaling as rope_freqs.weight; the loader hands it to the rope.
  return name === ROPE_FREQS_TENSOR && !!c.rope.freqFactors;
}

/** Names for a message: the first `max`, then how many more. */
export const listNames = (names: string[], max = 6) => names.slice(0, max).join(', ') + (names.length > max ? ` and ${names.length - max} more` : '');

/**
 * Throws InvalidFileError naming the first problem (layers that disagree, missing tensors, a
 * wrong shape); returns warnings for tensors present that the model does not use. With
 * `unusedIsError` (GGUF) an unused tensor is an error too: a GGUF's config is inferred from its
 * tensor names (no output.weight = tied embeddings), so a damaged name would otherwise load as
 * another model with only a warning.
 */
export function checkCheckpointTensors(c: LlamaConfig, tensors: ReadonlyMap<string, TensorInfo>, checkpoint: string, configFile: string, unusedIsError = false): string[] {
  const layerIds = new Set<number>();
  for (const name of tensors.keys()) {
    const m = /^model\.layers\.(\d+)\./.exec(name);
    if (m) layerIds.add(Number(m[1]));
  }
  const held = layerIds.size ? Math.max(...layerIds) + 1 : 0;
  if (held !== c.layers) {
    throw new InvalidFileError(configFile, 'num_hidden_layers', `the number of layers the checkpoint ${checkpoint} holds (${held}: model.layers.0 to model.layers.${held - 1})`, String(c.layers));
  }
  const expected = expectedTensors(c);
  const missing = [...expected.keys()].filter((n) => !tensors.has(n));
  if (missing.length) {
    const hint = missing.includes('lm_head.weight') ? ` (${configFile} says tie_word_embeddings is false, so the LM head is its own tensor)` : '';
    throw new InvalidFileError(checkpoint, listNames(missing), `tensors the model needs${hint}`, 'missing');
  }
  for (const [name, shape] of expected) {
    const got = tensors.get(name)!.shape;
    if (got.join('x') !== shape.join('x')) throw new InvalidFileError(checkpoint, `tensor ${name}`, `shape [${shape}], which ${configFile} implies`, `shape [${got}]`);
  }
  const unused = [...tensors.keys()].filter((n) => !expected.has(n) && !derived(n, c));
  if (unused.length && unusedIsError) {
    throw new InvalidFileError(checkpoint, listNames(unused), "only the tensors of a llama model, under llama.cpp's names (a damaged name, or a model of another architecture)", 'present');
  }
  return unused.length ? [`${checkpoint} has ${unused.length} tensor${unused.length === 1 ? '' : 's'} the model does not use: ${listNames(unused, 20)}`] : [];
}

/** The name of the checkpoint and of where its config came from, as the user knows them. */
export function modelFileNames(resolved: Pick<ResolvedModel, 'label' | 'format' | 'files'>): { checkpoint: string; config: string } {
  if (resolved.format === 'gguf') {
    const gguf = resolved.files.find((f) => f.name.toLowerCase().endsWith('.gguf'))?.name ?? resolved.label;
    return { checkpoint: gguf, config: `${gguf} metadata (as config.json)` };
  }
  return { checkpoint: `${resolved.label} safetensors`, config: `${resolved.label}/config.json` };
}

/** config.json parsed and checked against the checkpoint: the config and the load warnings. */
export function checkedModelConfig(resolved: ResolvedModel): { config: LlamaConfig; warnings: string[] } {
  const files = modelFileNames(resolved);
  const config = parseLlamaConfig(resolved.config, files.config);
  return { config, warnings: checkCheckpointTensors(config, resolved.reader.tensors, files.checkpoint, files.config, resolved.format === 'gguf') };
}
