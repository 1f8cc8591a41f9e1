// What a run is to the code that drives it (the run loop, the engine, the CLI): its config, its
// trainable set and the trainer that steps it. Kept apart from session.ts so the objectives that
// build runs (preference/) depend on this file and not on the Session that starts them.
import type { GpuContext } from '../gpu/context';
import type { RewardMetrics, TrainConfig } from '../api';
import type { ZoTrainer } from '../training/trainer';
import type { TrainableSet } from '../training/trainable';
import type { EncodedTask } from './encodedTask';
import type { LoadedModel } from './loadedModel';

/** Examples per evaluation batch. */
export const EVAL_BATCH = 32;

/** What a run loop drives: a ZoTrainer (DPO runs are one too, with a batch hook), or anything with its surface. */
export type RunTrainer = Pick<ZoTrainer, 'plan' | 'scorer' | 'record' | 'stepsDone' | 'stepsSubmitted' | 'samplerState' | 'advance' | 'drain' | 'destroy'> &
  Partial<Pick<ZoTrainer, 'stepBatch' | 'scoredBatch'>>;

export interface RunHandle {
  config: TrainConfig;
  trainable: TrainableSet;
  trainer: RunTrainer;
  /** Preference runs: their reward curves at each evaluation (src/engine/preference/). */
  preferenceEval?: (step: number) => Promise<RewardMetrics[]>;
}

/** What a run's builder reads: the device, the loaded model and the encoded task. */
export interface RunContext {
  ctx: GpuContext;
  model: LoadedModel;
  task: EncodedTask;
}

/** The sampler position after `steps` batches: replay the same seeded stream. */
export function samplerAfter(steps: number) {
  return (rows: number, batch: number, seed: number) => {
    let epoch = 0;
    let cursor = 0;
    for (let s = 0; s < steps; s++) {
      if (cursor >= rows) {
        epoch++;
        cursor = 0;
      }
      cursor += Math.min(batch, rows - cursor);
    }
    return { seed, epoch, cursor };
  };
}
