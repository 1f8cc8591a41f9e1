// Loading trained weights back onto the GPU: a PEFT LoRA adapter into a LoRA trainable set, and
// sparse deltas into a sparse one. The files are read and validated first (adapterFiles.ts), so
// what arrives here has every name, shape and count checked against the model.
import type { Backend } from '../gpu/backend';
import type { ModelWeights } from '../model/weights';
import type { CheckpointReader } from '../model/loaders/types';
import type { PeftAdapter, SparseDelta } from './adapterFiles';
import { loraTrainable, type LoraTrainable } from './loraMode';
import { sparseTrainable, type SparseTrainable } from './sparseMode';

export function importPeftAdapter(ctx: Backend, weights: ModelWeights, adapter: PeftAdapter): LoraTrainable {
  const { config, targets, matrices } = adapter;
  const set = loraTrainable(ctx, weights, { rank: config.r, alpha: config.lora_alpha, targets, seed: 0 });
  for (const ad of set.adapters) {
    const m = matrices.get(`${ad.layer}.${ad.target}`)!;
    ctx.upload(ad.a, m.a);
    ctx.upload(ad.b, m.b);
  }
  return set;
}

/** Deltas as readSparseDeltas returns them: indices ascending, one value each. */
export async function importSparseDeltas(ctx: Backend, weights: ModelWeights, reader: CheckpointReader, deltas: Map<string, SparseDelta>): Promise<SparseTrainable> {
  const mask = new Map([...deltas].map(([name, d]) => [name, d.indices]));
  const set = await sparseTrainable(ctx, weights, reader, { fraction: 1, score: 'mask', seed: 0, mask });
  // The set sorts each mask ascending, the order readSparseDeltas returns the values in.
  for (const m of set.matrices) {
    const d = deltas.get(m.name);
    if (d && m.indices.length) ctx.upload(m.values, d.values);
  }
  return set;
}
