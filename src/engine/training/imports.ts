// Loading trained weights back: a PEFT LoRA adapter (adapter_config.json + safetensors) into a
// LoRA trainable set, and sparse deltas (indices + values per weight) into a sparse one.
import type { GpuContext } from '../gpu/context';
import { readSafetensorsBytes } from '../model/safetensorsWriter';
import type { ModelWeights } from '../model/weights';
import { LINEAR_HF_NAMES } from '../model/weights';
import type { CheckpointReader } from '../model/loaders/types';
import { loraTrainable, type LoraTrainable } from './loraMode';
import { sparseTrainable, type SparseTrainable } from './sparseMode';
import { parseTargets } from './trainable';

export interface PeftConfig {
  r: number;
  lora_alpha: number;
  target_modules: string[];
}

export function importPeftAdapter(ctx: GpuContext, weights: ModelWeights, config: PeftConfig, safetensors: Uint8Array): LoraTrainable {
  const tensors = readSafetensorsBytes(safetensors);
  const set = loraTrainable(ctx, weights, { rank: config.r, alpha: config.lora_alpha, targets: parseTargets(config.target_modules), seed: 0 });
  for (const ad of set.adapters) {
    const prefix = `base_model.model.model.layers.${ad.layer}.${LINEAR_HF_NAMES[ad.target]}`;
    const a = tensors.get(`${prefix}.lora_A.weight`);
    const b = tensors.get(`${prefix}.lora_B.weight`);
    if (!a || !b) throw new Error(`the adapter has no ${prefix}.lora_A/lora_B weights; was it trained for this model?`);
    if (a.shape.join('x') !== `${config.r}x${ad.inDim}` || b.shape.join('x') !== `${ad.outDim}x${config.r}`) {
      throw new Error(`${prefix}: adapter shapes [${a.shape}] / [${b.shape}] do not fit this model (rank ${config.r}, ${ad.outDim}x${ad.inDim})`);
    }
    ctx.upload(ad.a, a.data);
    ctx.upload(ad.b, b.data);
  }
  return set;
}

/** `{weight}.indices` (I32) + `{weight}.values` (F32), as exportSparse writes and mask files use. */
export async function importSparseDeltas(ctx: GpuContext, weights: ModelWeights, reader: CheckpointReader, safetensors: Uint8Array): Promise<SparseTrainable> {
  const tensors = readSafetensorsBytes(safetensors);
  const mask = new Map<string, Uint32Array>();
  const values = new Map<string, Float32Array>();
  for (const [name, t] of tensors) {
    if (name.endsWith('.indices')) mask.set(name.slice(0, -'.indices'.length), Uint32Array.from(t.data as Int32Array));
    if (name.endsWith('.values')) values.set(name.slice(0, -'.values'.length), t.data as Float32Array);
  }
  if (!mask.size) throw new Error('no "<weight>.indices" tensors: this is not a sparse deltas or mask file');
  const set = await sparseTrainable(ctx, weights, reader, { fraction: 1, score: 'mask', seed: 0, mask });
  for (const m of set.matrices) {
    const v = values.get(m.name);
    if (!v || !m.indices.length) continue;
    // Indices were sorted when the set was built; the file's order may differ.
    const order = mask.get(m.name)!;
    const byIndex = new Map<number, number>();
    order.forEach((flat, i) => byIndex.set(flat, v[i]));
    ctx.upload(m.values, Float32Array.from(m.indices, (flat) => byIndex.get(flat)!));
  }
  return set;
}
