// The model's weights on the GPU, built tensor by tensor from a CheckpointReader so a large
// checkpoint never sits whole in JavaScript memory. Linear weights keep PyTorch's [out, in].
import type { Backend } from '../gpu/backend';
import type { MemoryCategory } from '../gpu/ledger';
import type { GpuWeight, WeightFormat } from '../gpu/tensor';
import { uploadBlocks, uploadQuantized, uploadWeight } from '../gpu/weights';
import { isBlockFormat } from '../defs/blockFormats';
import { gpuFormatFor } from './gpuFormat';
import type { CheckpointReader } from './loaders/types';
import type { LlamaConfig } from './config';
import { UnsupportedModelError } from './config';
import type { DeviceBuffer } from '../gpu/device';

export interface LayerWeights {
  inputNorm: DeviceBuffer; // f32 [hidden]
  q: GpuWeight; // [heads*headDim, hidden]
  k: GpuWeight; // [kvHeads*headDim, hidden]
  v: GpuWeight; // [kvHeads*headDim, hidden]
  o: GpuWeight; // [hidden, heads*headDim]
  postNorm: DeviceBuffer; // f32 [hidden]
  gate: GpuWeight; // [intermediate, hidden]
  up: GpuWeight; // [intermediate, hidden]
  down: GpuWeight; // [hidden, intermediate]
  /** Qwen2's q/k/v projection biases, f32 [rows of each]; absent for Llama and Mistral. */
  bias?: Record<'q' | 'k' | 'v', DeviceBuffer>;
}

export interface ModelWeights {
  /** The precision asked for; a tensor kept in its stored block format says so in its own `format` (gpuFormat.ts). */
  format: WeightFormat;
  embed: GpuWeight; // [vocab, hidden]
  layers: LayerWeights[];
  finalNorm: DeviceBuffer; // f32 [hidden]
  lmHead: GpuWeight; // [vocab, hidden]; the embedding table itself when tied
  /** Hugging Face tensor name of every GPU tensor, for exports and the sparse mask format. */
  names: Map<string, GpuWeight | DeviceBuffer>;
}

export type LinearName = 'q' | 'k' | 'v' | 'o' | 'gate' | 'up' | 'down';

export const LINEAR_HF_NAMES: Record<LinearName, string> = {
  q: 'self_attn.q_proj',
  k: 'self_attn.k_proj',
  v: 'self_attn.v_proj',
  o: 'self_attn.o_proj',
  gate: 'mlp.gate_proj',
  up: 'mlp.up_proj',
  down: 'mlp.down_proj',
};

export interface BuildProgress {
  tensor: string;
  done: number;
  total: number;
}

export async function buildWeights(
  ctx: Backend,
  config: LlamaConfig,
  reader: CheckpointReader,
  format: WeightFormat,
  onProgress?: (p: BuildProgress) => void,
): Promise<ModelWeights> {
  const names = new Map<string, GpuWeight | DeviceBuffer>();
  const total = reader.tensors.size;
  let done = 0;
  const category: MemoryCategory = 'weights';

  const expectShape = (name: string, shape: number[]) => {
    const info = reader.tensors.get(name);
    if (!info) throw new UnsupportedModelError(`The checkpoint has no tensor "${name}"`);
    if (info.shape.join('x') !== shape.join('x')) {
      throw new UnsupportedModelError(`Tensor ${name} has shape [${info.shape}] but config.json implies [${shape}]`);
    }
  };
  const linear = async (name: string, rows: number, cols: number, fmt: WeightFormat = format): Promise<GpuWeight> => {
    expectShape(name, [rows, cols]);
    const target = gpuFormatFor(fmt, reader.tensors.get(name)!.dtype, cols, reader.readBlocks !== undefined);
    const blocks = isBlockFormat(target) ? await reader.readBlocks!(name) : null;
    const native = !blocks && (fmt === 'q8' || fmt === 'q4') ? await reader.readQuantized?.(name) : null;
    const w = blocks
      ? uploadBlocks(ctx, name, blocks, category)
      : native && native.kind === fmt
        ? uploadQuantized(ctx, name, native, category)
        : uploadWeight(ctx, name, await reader.readF32(name), rows, cols, fmt, category);
    names.set(name, w);
    onProgress?.({ tensor: name, done: ++done, total });
    return w;
  };
  const vector = async (name: string, n: number): Promise<DeviceBuffer> => {
    expectShape(name, [n]);
    const b = ctx.storageFrom(name, await reader.readF32(name), category);
    names.set(name, b);
    onProgress?.({ tensor: name, done: ++done, total });
    return b;
  };

  const { hidden, heads, kvHeads, headDim, intermediate, vocabSize } = config;
  const embed = await linear('model.embed_tokens.weight', vocabSize, hidden);
  const layers: LayerWeights[] = [];
  for (let i = 0; i < config.layers; i++) {
    const p = `model.layers.${i}.`;
    layers.push({
      inputNorm: await vector(`${p}input_layernorm.weight`, hidden),
      q: await linear(`${p}self_attn.q_proj.weight`, heads * headDim, hidden),
      k: await linear(`${p}self_attn.k_proj.weight`, kvHeads * headDim, hidden),
      v: await linear(`${p}self_attn.v_proj.weight`, kvHeads * headDim, hidden),
      o: await linear(`${p}self_attn.o_proj.weight`, hidden, heads * headDim),
      postNorm: await vector(`${p}post_attention_layernorm.weight`, hidden),
      gate: await linear(`${p}mlp.gate_proj.weight`, intermediate, hidden),
      up: await linear(`${p}mlp.up_proj.weight`, intermediate, hidden),
      down: await linear(`${p}mlp.down_proj.weight`, hidden, intermediate),
      bias: config.qkvBias
        ? {
            q: await vector(`${p}self_attn.q_proj.bias`, heads * headDim),
            k: await vector(`${p}self_attn.k_proj.bias`, kvHeads * headDim),
            v: await vector(`${p}self_attn.v_proj.bias`, kvHeads * headDim),
          }
        : undefined,
    });
    // Surface an out-of-memory now rather than after every layer was queued.
    await ctx.checkAllocations();
  }
  const finalNorm = await vector('model.norm.weight', hidden);
  // Tied only when the config says so: an untied config without lm_head.weight is refused
  // (checkpointTensors.ts), never run with the embedding standing in for the LM head.
  const lmHead = config.tieWordEmbeddings ? embed : await linear('lm_head.weight', vocabSize, hidden);
  await ctx.checkAllocations();
  return { format, embed, layers, finalNorm, lmHead, names };
}

/** Frees every GPU buffer of a model's weights: `names` holds each tensor once (a tied LM head is the embedding). */
export function releaseModelWeights(ctx: Backend, weights: ModelWeights): void {
  for (const t of weights.names.values()) {
    if ('format' in t) {
      ctx.release(t.data);
      if (t.scales) ctx.release(t.scales);
    } else {
      ctx.release(t);
    }
  }
}
