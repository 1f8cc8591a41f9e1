// A model ready to run: resolved files -> config, GPU weights at the chosen precision, and the
// tokenizer. The checkpoint reader stays open: sparse tuning reads the original weights again.
import type { Backend } from '../gpu/backend';
import type { ModelSummary, WeightPrecision } from '../api';
import { parameterCount, type LlamaConfig } from '../model/config';
import { checkedModelConfig } from '../model/checkpointTensors';
import { buildWeights, type BuildProgress, type ModelWeights } from '../model/weights';
import type { ResolvedModel } from '../model/loaders/resolveModel';
import { tokenizerFromJson, type Tokenizer } from '../data/tokenizer';

export interface LoadedModel {
  resolved: ResolvedModel;
  config: LlamaConfig;
  weights: ModelWeights;
  tokenizer: Tokenizer;
  precision: WeightPrecision;
  summary: ModelSummary;
}

export async function loadModel(ctx: Backend, resolved: ResolvedModel, precision: WeightPrecision, onProgress?: (p: BuildProgress) => void): Promise<LoadedModel> {
  const { config, warnings } = checkedModelConfig(resolved);
  const tokenizer = await tokenizerFromJson(resolved.tokenizerJson as object, (resolved.tokenizerConfig ?? {}) as object);
  const weights = await buildWeights(ctx, config, resolved.reader, precision, onProgress);
  const fileHashes: Record<string, string> = {};
  for (const f of resolved.files) if (f.sha256) fileHashes[f.name] = f.sha256;
  return {
    resolved,
    config,
    weights,
    tokenizer,
    precision,
    summary: {
      name: resolved.label,
      architecture: config.architecture,
      parameters: parameterCount(config),
      layers: config.layers,
      hidden: config.hidden,
      heads: config.heads,
      kvHeads: config.kvHeads,
      vocab: config.vocabSize,
      precision,
      fileHashes,
      hasChatTemplate: tokenizer.applyChatTemplate !== null,
      warnings,
      tokenizerSource: resolved.tokenizerSource,
    },
  };
}
