// Turns the --model family of flags into a resolved model (folder, .gguf, URL or Hub repo id,
// through the loader and its cache) and, when asked, a loaded one on the GPU.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WeightFormat } from '../engine/gpu/tensor';
import type { Backend } from '../engine/gpu/backend';
import { resolveModelNode } from '../engine/model/loaders/nodeResolve';
import type { ResolvedModel } from '../engine/model/loaders/resolveModel';
import type { LlamaConfig } from '../engine/model/config';
import { checkedModelConfig } from '../engine/model/checkpointTensors';
import { loadModel, type LoadedModel } from '../engine/session/loadedModel';
import { optionalString, stringFlag, UsageError, type ParsedArgs } from './args';
import type { CliIo } from './io';
import { DEFAULT_PRECISION, WEIGHT_PRECISIONS, isOneOf } from '../engine/config';

export interface CliModel {
  label: string;
  config: LlamaConfig;
  resolved: ResolvedModel;
  reader: ResolvedModel['reader'];
  close(): Promise<void>;
}

/** The demo model shipped with the app (public/demo-model), the default --model. */
export function bundledDemoModel(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, '..', 'public', 'demo-model'), join(here, '..', '..', 'public', 'demo-model')]) {
    if (existsSync(join(candidate, 'config.json'))) return resolve(candidate);
  }
  throw new UsageError('--model is required (the bundled demo model was not found next to the CLI)');
}

export function precisionFlag(args: ParsedArgs): WeightFormat {
  const q = stringFlag(args, 'quant', DEFAULT_PRECISION);
  if (!isOneOf(WEIGHT_PRECISIONS, q)) throw new UsageError(`--quant must be f32, f16, q8 or q4, got "${q}"`);
  return q;
}

export async function openCliModel(args: ParsedArgs, io: CliIo): Promise<CliModel> {
  const spec = optionalString(args, 'model') ?? bundledDemoModel();
  let lastShown = 0;
  const resolved = await resolveModelNode(spec, {
    revision: optionalString(args, 'revision'),
    endpoint: optionalString(args, 'hub-endpoint'),
    token: io.env.HF_TOKEN,
    onProgress: (p) => {
      const now = Date.now();
      if (p.phase !== 'download' || now - lastShown < 1000) return;
      lastShown = now;
      io.stderr(`downloading ${p.file}: ${(p.loadedBytes / 1e6).toFixed(1)} / ${(p.totalBytes / 1e6).toFixed(1)} MB`);
    },
  });
  const { config, warnings } = checkedModelConfig(resolved);
  for (const w of warnings) io.stderr(`warning: ${w}`);
  return {
    label: resolved.label,
    config,
    resolved,
    reader: resolved.reader,
    close: async () => resolved.reader.close?.(),
  };
}

export async function loadCliModel(ctx: Backend, args: ParsedArgs, io: CliIo): Promise<LoadedModel> {
  const model = await openCliModel(args, io);
  // A .gguf's tokenizer may come from beside it or from its own metadata: say which.
  if (model.resolved.format === 'gguf') io.stderr(`tokenizer: ${model.resolved.tokenizerSource}`);
  return loadModel(ctx, model.resolved, precisionFlag(args));
}
