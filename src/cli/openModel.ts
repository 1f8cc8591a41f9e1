// Turns the --model family of flags into an open checkpoint (config + tensor reader).
import { parseLlamaConfig, type LlamaConfig } from '../engine/model/config';
import type { CheckpointReader } from '../engine/model/loaders/types';
import type { WeightFormat } from '../engine/gpu/tensor';
import { nodeFolder } from '../engine/model/loaders/nodeFileSource';
import { openSafetensors } from '../engine/model/loaders/safetensors';
import { readText } from '../engine/model/loaders/byteSource';
import { stringFlag, UsageError, type ParsedArgs } from './args';
import type { CliIo } from './io';

export interface CliModel {
  label: string;
  config: LlamaConfig;
  rawConfig: Record<string, unknown>;
  reader: CheckpointReader;
  close(): Promise<void>;
}

export function precisionFlag(args: ParsedArgs): WeightFormat {
  const q = stringFlag(args, 'quant', 'f32');
  if (q !== 'f32' && q !== 'f16' && q !== 'q8' && q !== 'q4') throw new UsageError(`--quant must be f32, f16, q8 or q4, got "${q}"`);
  return q;
}

export async function openCliModel(args: ParsedArgs, _io: CliIo): Promise<CliModel> {
  const spec = stringFlag(args, 'model');
  const files = nodeFolder(spec);
  const configSource = await files.open('config.json');
  if (!configSource) throw new Error(`${spec} has no config.json`);
  const rawConfig = JSON.parse(await readText(configSource)) as Record<string, unknown>;
  const config = parseLlamaConfig(rawConfig);
  const weights = await files.open('model.safetensors');
  if (!weights) throw new Error(`${spec} has no model.safetensors`);
  const reader = await openSafetensors(rawConfig, [weights]);
  return { label: spec, config, rawConfig, reader, close: async () => reader.close?.() };
}
