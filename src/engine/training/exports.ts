// Exports of what a run trained: LoRA as a PEFT adapter (adapter_config.json +
// adapter_model.safetensors, Hugging Face tensor names), sparse as safetensors of indices and
// values per weight name (the same layout a sparse mask imports), full as model.safetensors.
import type { Backend } from '../gpu/backend';
import { LINEAR_HF_NAMES } from '../model/weights';
import { writeSafetensors, type WritableTensor } from '../model/safetensorsWriter';
import type { LoraTrainable } from './loraMode';
import type { SparseTrainable } from './sparseMode';
import type { TrainableSet } from './trainable';

export interface ExportedFile {
  name: string;
  bytes: Uint8Array;
}

export async function exportLoraPeft(ctx: Backend, set: LoraTrainable, baseModel: string): Promise<ExportedFile[]> {
  const tensors: WritableTensor[] = [];
  for (const ad of set.adapters) {
    const prefix = `base_model.model.model.layers.${ad.layer}.${LINEAR_HF_NAMES[ad.target]}`;
    tensors.push({ name: `${prefix}.lora_A.weight`, dtype: 'F32', shape: [set.options.rank, ad.inDim], data: await ctx.readF32(ad.a) });
    tensors.push({ name: `${prefix}.lora_B.weight`, dtype: 'F32', shape: [ad.outDim, set.options.rank], data: await ctx.readF32(ad.b) });
  }
  const config = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModel,
    r: set.options.rank,
    lora_alpha: set.options.alpha,
    lora_dropout: 0,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    target_modules: set.options.targets.map((t) => LINEAR_HF_NAMES[t].split('.')[1]),
  };
  return [
    { name: 'adapter_config.json', bytes: new TextEncoder().encode(JSON.stringify(config, null, 2)) },
    { name: 'adapter_model.safetensors', bytes: writeSafetensors(tensors, { format: 'pt' }) },
  ];
}

/** `{name}.indices` (I32, flat row*cols+col) and `{name}.values` (F32) per sparse weight. */
export async function exportSparse(ctx: Backend, set: SparseTrainable, baseModel: string): Promise<ExportedFile[]> {
  const tensors: WritableTensor[] = [];
  for (const m of set.matrices) {
    if (!m.indices.length) continue;
    tensors.push({ name: `${m.name}.indices`, dtype: 'I32', shape: [m.indices.length], data: Int32Array.from(m.indices) });
    tensors.push({ name: `${m.name}.values`, dtype: 'F32', shape: [m.indices.length], data: await ctx.readF32(m.values, m.indices.length) });
  }
  return [{ name: 'sparse_deltas.safetensors', bytes: writeSafetensors(tensors, { format: 'zo-studio-sparse', base_model: baseModel }) }];
}

/** Every trained tensor of a full-parameter run under its Hugging Face name. */
export async function exportFull(ctx: Backend, set: TrainableSet, shapes: Map<string, number[]>): Promise<ExportedFile[]> {
  const tensors: WritableTensor[] = [];
  for (const r of set.ranges) {
    const shape = shapes.get(r.name) ?? [r.count];
    tensors.push({ name: r.name, dtype: 'F32', shape, data: await ctx.readF32(r.buffer, r.count, r.offset) });
  }
  return [{ name: 'model.safetensors', bytes: writeSafetensors(tensors, { format: 'pt' }) }];
}
