// TrainConfig -> the trainable set of its tuning mode (full, LoRA, SensZOQ sparse), including
// the calibration pass that activation-aware sparse scores need.
import type { Backend } from '../gpu/backend';
import type { TrainConfig } from '../api';
import { fullTrainable } from '../training/fullMode';
import { loraTrainable } from '../training/loraMode';
import { sparseTrainable } from '../training/sparseMode';
import { calibrateColumnNorms } from '../training/calibration';
import { ALL_LINEARS, parseTargets, type TrainableSet } from '../training/trainable';
import type { EncodedTask } from './encodedTask';
import type { LoadedModel } from './loadedModel';
import { DEFAULT_LORA, DEFAULT_SPARSE } from '../config/defaults';

export async function buildTrainable(ctx: Backend, model: LoadedModel, task: EncodedTask, config: TrainConfig): Promise<TrainableSet> {
  switch (config.mode) {
    case 'full': {
      const layers = config.full?.layers;
      const projections = config.full?.projections;
      return fullTrainable(model.weights, { layers: layers?.length ? layers : undefined, projections: projections?.length ? parseTargets(projections) : undefined });
    }
    case 'lora': {
      const lora = { ...DEFAULT_LORA, ...config.lora };
      return loraTrainable(ctx, model.weights, { rank: lora.rank, alpha: lora.alpha, targets: parseTargets(lora.targets), seed: config.seed });
    }
    case 'sparse': {
      const sparse = { ...DEFAULT_SPARSE, ...config.sparse };
      let columnNorms;
      if (sparse.score === 'activation') {
        const rows = (task.splits.train ?? []).slice(0, sparse.calibrationRows);
        const sequences = rows.map((ex) => (ex.kind === 'lm' ? ex.enc.ids : [...ex.enc.promptIds, ...ex.enc.candidates[ex.enc.label]]));
        columnNorms = await calibrateColumnNorms(ctx, model.config, model.weights, sequences, ALL_LINEARS);
      }
      return sparseTrainable(ctx, model.weights, model.resolved.reader, { fraction: sparse.fraction, score: sparse.score, seed: config.seed, columnNorms });
    }
  }
}
