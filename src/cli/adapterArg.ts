// --adapter PATH: a PEFT LoRA folder (adapter_config.json + adapter_model.safetensors) or a
// sparse deltas file (*.safetensors with <weight>.indices / <weight>.values), applied to the session.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Session } from '../engine/session/session';
import { importPeftAdapter, importSparseDeltas, type PeftConfig } from '../engine/training/imports';
import type { TrainConfig } from '../engine/api';
import { DEFAULT_TRAIN_CONFIG } from '../engine/config';
import { startRun } from '../engine/session/startRun';

/** The imported weights become a run that never steps: it only holds them for evaluation. */
const BASE: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, objective: 'classification', steps: 1, lr: 0, batch: 1, evalEvery: 0, evalLimit: 0 };

export async function applyAdapter(session: Session, path: string): Promise<string> {
  const model = session.requireModel();
  const ctx = session.ctx;
  if ((await stat(path)).isDirectory()) {
    const config = JSON.parse(await readFile(join(path, 'adapter_config.json'), 'utf8')) as PeftConfig;
    const set = importPeftAdapter(ctx, model.weights, config, new Uint8Array(await readFile(join(path, 'adapter_model.safetensors'))));
    await startRun(session, { ...BASE, mode: 'lora', lora: { rank: config.r, alpha: config.lora_alpha, targets: config.target_modules } }, undefined, { prebuilt: set });
    return `PEFT LoRA adapter ${path} (rank ${config.r})`;
  }
  const set = await importSparseDeltas(ctx, model.weights, model.resolved.reader, new Uint8Array(await readFile(path)));
  await startRun(session, { ...BASE, mode: 'sparse' }, undefined, { prebuilt: set });
  return `sparse deltas ${path} (${set.parameters} entries)`;
}
