// --adapter PATH: a PEFT LoRA folder (adapter_config.json + adapter_model.safetensors) or a
// sparse deltas file (*.safetensors with <weight>.indices / <weight>.values), applied to the session.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Session } from '../engine/session/session';
import { importPeftAdapter, importSparseDeltas, type PeftConfig } from '../engine/training/imports';
import type { TrainConfig } from '../engine/api';

const BASE: TrainConfig = {
  mode: 'lora', optimizer: 'zo-sgd', objective: 'classification', steps: 1, lr: 0, eps: 1e-3, batch: 1, q: 1, seed: 0,
  weightDecay: 0, schedule: 'constant', clip: 0, oneSided: false, evalEvery: 0, evalSplit: 'dev', evalLimit: 0,
};

export async function applyAdapter(session: Session, path: string): Promise<string> {
  const model = session.requireModel();
  const ctx = session.ctx;
  if ((await stat(path)).isDirectory()) {
    const config = JSON.parse(await readFile(join(path, 'adapter_config.json'), 'utf8')) as PeftConfig;
    const set = importPeftAdapter(ctx, model.weights, config, new Uint8Array(await readFile(join(path, 'adapter_model.safetensors'))));
    await session.startRun({ ...BASE, mode: 'lora', lora: { rank: config.r, alpha: config.lora_alpha, targets: config.target_modules } }, undefined, {}, set);
    return `PEFT LoRA adapter ${path} (rank ${config.r})`;
  }
  const set = await importSparseDeltas(ctx, model.weights, model.resolved.reader, new Uint8Array(await readFile(path)));
  await session.startRun({ ...BASE, mode: 'sparse' }, undefined, {}, set);
  return `sparse deltas ${path} (${set.parameters} entries)`;
}
