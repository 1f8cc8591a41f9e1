// --adapter PATH: a PEFT LoRA folder (adapter_config.json + adapter_model.safetensors) or a
// sparse deltas file (*.safetensors with <weight>.indices / <weight>.values), applied to the session.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Session } from '../engine/session/session';
import { parsePeftConfig, readPeftAdapter, readSparseDeltas } from '../engine/training/adapterFiles';
import { importPeftAdapter, importSparseDeltas } from '../engine/training/imports';
import type { TrainConfig } from '../engine/api';
import { MissingFileError } from '../engine/model/loaders/errors';
import { DEFAULT_TRAIN_CONFIG } from '../engine/config';
import { startRun } from '../engine/session/startRun';

/** The imported weights become a run that never steps: it only holds them for evaluation. */
const BASE: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, objective: 'classification', steps: 1, lr: 0, batch: 1, evalEvery: 0, evalLimit: 0 };

/** A file of a PEFT adapter folder, or an error saying what the folder must hold. */
async function adapterFile(folder: string, name: string): Promise<Uint8Array> {
  const bytes = await readFile(join(folder, name)).catch(() => null);
  if (!bytes) throw new MissingFileError(folder, name, 'A PEFT adapter folder holds adapter_config.json and adapter_model.safetensors (as PEFT save_pretrained and ZO Studio exports write them).');
  return new Uint8Array(bytes);
}

export async function applyAdapter(session: Session, path: string): Promise<string> {
  const model = session.requireModel();
  const ctx = session.ctx;
  if ((await stat(path)).isDirectory()) {
    const configFile = join(path, 'adapter_config.json');
    const weightsFile = join(path, 'adapter_model.safetensors');
    const config = parsePeftConfig(new TextDecoder().decode(await adapterFile(path, 'adapter_config.json')), configFile);
    const adapter = readPeftAdapter(config, await adapterFile(path, 'adapter_model.safetensors'), weightsFile, model.config);
    const set = importPeftAdapter(ctx, model.weights, adapter);
    await startRun(session, { ...BASE, mode: 'lora', lora: { rank: config.r, alpha: config.lora_alpha, targets: config.target_modules } }, undefined, { prebuilt: set });
    return `PEFT LoRA adapter ${path} (rank ${config.r})`;
  }
  const deltas = readSparseDeltas(new Uint8Array(await readFile(path)), path, model.config);
  const set = await importSparseDeltas(ctx, model.weights, model.resolved.reader, deltas);
  await startRun(session, { ...BASE, mode: 'sparse' }, undefined, { prebuilt: set });
  return `sparse deltas ${path} (${set.parameters} entries)`;
}
