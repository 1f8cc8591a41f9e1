// --adapter PATH: a PEFT LoRA folder (adapter_config.json + adapter_model.safetensors) or a
// sparse deltas file (*.safetensors with <weight>.indices / <weight>.values), applied to the session.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Session } from '../engine/session/session';
import { parsePeftConfig, readPeftAdapter, readSparseDeltas } from '../engine/training/adapterFiles';
import { importPeftAdapter, importSparseDeltas } from '../engine/training/imports';
import type { TrainConfig } from '../engine/api';
import { MissingFileError } from '../engine/model/loaders/errors';

const BASE: TrainConfig = {
  mode: 'lora', optimizer: 'zo-sgd', objective: 'classification', steps: 1, lr: 0, eps: 1e-3, batch: 1, q: 1, seed: 0,
  weightDecay: 0, schedule: 'constant', clip: 0, oneSided: false, evalEvery: 0, evalSplit: 'dev', evalLimit: 0,
};

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
    await session.startRun({ ...BASE, mode: 'lora', lora: { rank: config.r, alpha: config.lora_alpha, targets: config.target_modules } }, undefined, {}, set);
    return `PEFT LoRA adapter ${path} (rank ${config.r})`;
  }
  const deltas = readSparseDeltas(new Uint8Array(await readFile(path)), path, model.config);
  const set = await importSparseDeltas(ctx, model.weights, model.resolved.reader, deltas);
  await session.startRun({ ...BASE, mode: 'sparse' }, undefined, {}, set);
  return `sparse deltas ${path} (${set.parameters} entries)`;
}
