// The named presets of the training panel, each written as what it changes from the default run
// (DEFAULT_TRAIN_CONFIG). Applying one first puts the keys every preset owns (PRESET_KEYS) back to
// their defaults, so a preset's result does not depend on what was set before it.
import type { TrainConfig } from '../api';
import { DEFAULT_SPARSE, DEFAULT_TRAIN_CONFIG } from './defaults';

export interface Preset {
  name: string;
  description: string;
  /** Shown only for tasks of this type (all tasks when absent). */
  taskType?: 'classification' | 'preference';
  /** What differs from DEFAULT_TRAIN_CONFIG. */
  delta: Partial<TrainConfig>;
}

/** The settings a preset decides; everything else (seed, task objective, eval split, ...) stays as the user set it. */
export const PRESET_KEYS = ['mode', 'full', 'optimizer', 'lr', 'eps', 'batch', 'steps', 'q', 'evalEvery', 'evalLimit', 'schedule'] as const satisfies readonly (keyof TrainConfig)[];

export const PRESETS: readonly Preset[] = [
  {
    name: 'Quick demo',
    taskType: 'classification',
    description: 'Tuned for the built-in demo model: lr 1e-4, ε 1e-3, batch 16, 200 steps. Loss falls within a couple of minutes.',
    delta: {}, // the default run is the quick demo
  },
  {
    name: 'ZOPrO demo',
    taskType: 'preference',
    description: 'Online ZO preference optimization on the demo model: sparse 0.1% of the weights, lr 0.3, ε 0.01, 30 steps of 4 prompts x 4 samples, reward = the answer starts lowercase like a dictionary gloss. The mean reward rises from about 0.6 to 0.8 (README).',
    delta: { objective: 'zopro', mode: 'sparse', lr: 0.3, eps: 1e-2, steps: 30, evalEvery: 0, sparse: DEFAULT_SPARSE },
  },
  {
    name: 'ZO-DPO (GPU)',
    taskType: 'preference',
    description:
      'ZO-DPO that carries over to held-out pairs of wn-define-pref: only the attention query and key projections move (294,912 weights), lr 1e-3, ε 1e-3, batch 64, β 2, 4,000 steps. ' +
      'On an H100, dev reward accuracy 74.5% and pair accuracy 48.5% → 59.5% (README). Needs a GPU: on a CPU-emulated adapter a step takes seconds.',
    delta: { objective: 'dpo', full: { projections: ['q', 'k'] }, lr: 1e-3, batch: 64, steps: 4_000, evalEvery: 250, evalLimit: 0, dpo: { beta: 2 } },
  },
  {
    name: 'Paper defaults',
    description: "MeZO's settings for OPT (Malladi et al. 2023): lr 1e-6 (grid 1e-6..1e-7), ε 1e-3, batch 16, 20,000 steps, constant lr. On the tiny demo model this lr barely moves the loss.",
    delta: { lr: 1e-6, steps: 20_000, evalEvery: 4_000, evalLimit: 0 },
  },
];

/** `config` with the preset applied: its keys back to the defaults, then its delta. */
export function applyPresetTo(config: TrainConfig, preset: Preset): TrainConfig {
  const base: Partial<TrainConfig> = {};
  for (const key of PRESET_KEYS) Object.assign(base, { [key]: DEFAULT_TRAIN_CONFIG[key] });
  return { ...config, ...base, ...preset.delta };
}
