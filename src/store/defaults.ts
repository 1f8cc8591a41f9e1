// Every default the app starts from, one comment each (nanoGPT style), and the named presets,
// which override only what differs. A saved run stores its full TrainConfig, so any run replays.
import type { DpoOptions, TrainConfig, WeightPrecision, ZoproOptions } from '../engine/api';

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  mode: 'full', // MeZO perturbs every weight; LoRA and sparse narrow what moves
  optimizer: 'zo-sgd', // plain ZO-SGD, MeZO's Algorithm 1
  objective: 'classification', // candidate scoring over the label words (set from the task type)
  steps: 200, // enough for the demo model's loss to visibly fall
  lr: 1e-4, // the tiny demo model needs a far larger step than OPT (paper: 1e-6 .. 1e-7)
  eps: 1e-3, // perturbation scale, MeZO's default
  batch: 16, // MeZO's default batch size
  q: 1, // one perturbation per step (MeZO's n = 1)
  seed: 0, // seeds z for every step: the run record replays from it
  weightDecay: 0,
  schedule: 'constant', // MeZO uses a constant learning rate
  clip: 0, // no clipping of the projected gradient
  oneSided: false, // two-sided (central) difference: L(θ+εz) and L(θ-εz)
  evalEvery: 50, // dev accuracy every 50 steps
  evalSplit: 'dev',
  evalLimit: 100, // dev rows per evaluation: a cheap estimate while training
};

export interface Preset {
  name: string;
  description: string;
  /** Shown only for tasks of this type (all tasks when absent). */
  taskType?: 'classification' | 'preference';
  overrides: Partial<TrainConfig>;
}

export const PRESETS: readonly Preset[] = [
  {
    name: 'Quick demo',
    taskType: 'classification',
    description: 'Tuned for the built-in demo model: lr 1e-4, ε 1e-3, batch 16, 200 steps. Loss falls within a couple of minutes.',
    overrides: { mode: 'full', full: undefined, optimizer: 'zo-sgd', lr: 1e-4, eps: 1e-3, batch: 16, steps: 200, q: 1, evalEvery: 50, evalLimit: 100, schedule: 'constant' },
  },
  {
    name: 'ZOPrO demo',
    taskType: 'preference',
    description: 'Online ZO preference optimization on the demo model: sparse 0.1% of the weights, lr 0.3, ε 0.01, 30 steps of 4 prompts x 4 samples, reward = the answer starts lowercase like a dictionary gloss. The mean reward rises from about 0.6 to 0.8 (README).',
    overrides: {
      objective: 'zopro', mode: 'sparse', optimizer: 'zo-sgd', lr: 0.3, eps: 1e-2, steps: 30, q: 1, evalEvery: 0, schedule: 'constant',
      sparse: { fraction: 1e-3, score: 'activation', calibrationRows: 32 },
    },
  },
  {
    name: 'ZO-DPO (GPU)',
    taskType: 'preference',
    description:
      'ZO-DPO that carries over to held-out pairs of wn-define-pref: only the attention query and key projections move (294,912 weights), lr 1e-3, ε 1e-3, batch 64, β 2, 4,000 steps. ' +
      'On an H100, dev reward accuracy 74.5% and pair accuracy 48.5% → 59.5% (README). Needs a GPU: on a CPU-emulated adapter a step takes seconds.',
    overrides: {
      objective: 'dpo', mode: 'full', full: { projections: ['q', 'k'] }, optimizer: 'zo-sgd', lr: 1e-3, eps: 1e-3, batch: 64, steps: 4_000, q: 1,
      evalEvery: 250, evalLimit: 0, schedule: 'constant', dpo: { beta: 2 },
    },
  },
  {
    name: 'Paper defaults',
    description: "MeZO's settings for OPT (Malladi et al. 2023): lr 1e-6 (grid 1e-6..1e-7), ε 1e-3, batch 16, 20,000 steps, constant lr. On the tiny demo model this lr barely moves the loss.",
    overrides: { mode: 'full', full: undefined, optimizer: 'zo-sgd', lr: 1e-6, eps: 1e-3, batch: 16, steps: 20_000, q: 1, evalEvery: 4_000, evalLimit: 0, schedule: 'constant' },
  },
];

export const DEFAULT_LORA = { rank: 8, alpha: 16, targets: ['q_proj', 'v_proj'] };
export const DEFAULT_SPARSE = { fraction: 0.001, score: 'magnitude' as const, calibrationRows: 64 };
/** The engine's own defaults (DPO_DEFAULTS, ZOPRO_DEFAULTS in src/engine/preference/), copied
 *  here so the main bundle does not pull in GPU code; tests/unit/reward-series.test.ts keeps them equal. */
export const DEFAULT_DPO: DpoOptions = { beta: 2 }; // keeps the margin's sigmoid near its linear range
export const DEFAULT_ZOPRO: ZoproOptions = {
  k: 4, // completions per prompt (RLOO needs >= 2)
  prompts: 4, // prompts per step: each step samples prompts x k completions
  lambda: { start: 0.5, end: 0.1, schedule: 'linear' }, // lean on the last update early, explore later
  klCoef: 0.05, // KL penalty to the start model
  reward: { kind: 'regex', pattern: '^\\s*[a-z]' }, // demo rule: answer starts lowercase, like a gloss (about half do at first)
  maxNewTokens: 3, // the rule reads the first word: short rollouts keep steps cheap
  temperature: 1,
};

/** Model loading defaults. */
export const DEFAULT_PRECISION: WeightPrecision = 'f32'; // the demo model is small: keep full precision
export const DEFAULT_MAX_SEQ_LEN = 128; // demo glosses fit in well under 128 tokens

/** The demo tasks served from public/demo-data/<name>/. */
export const DEMO_TASKS = ['wn-animal-plant', 'wn-topic4', 'wn-define-pref'] as const;
export const DEFAULT_TASK = 'wn-animal-plant';

/** EMA weight for the smoothed loss curve (TensorBoard-style, bias-corrected). */
export const LOSS_SMOOTHING = 0.9;
/** Most points a chart draws, whatever the run length. */
export const MAX_CHART_POINTS = 2000;
