// Every default a run starts from, one comment each. The app starts from DEFAULT_TRAIN_CONFIG,
// the CLI's flags default to it (trainConfigFromArgs), and the engine fills a missing options
// block from the same constants, so the app's default run and the CLI's are one config
// (tests/unit/config.test.ts). Plain data: no GPU, no DOM.
import type { DpoOptions, Objective, TrainConfig, ZoproOptions } from '../api';
import type { TuningMode, WeightPrecision } from './options';

/**
 * The learning rate measured to work for each tuning mode on the demo task (README, "MeZO on the
 * demo model": full lr 1e-4 reaches 60.2% at step 250; LoRA r8 and SensZOQ 0.1% over q4 need
 * larger steps because far fewer weights move, 5e-3 and 1e-2; lr 1e-3 left both at 50.6%).
 * The CLI's `--mode lora|sparse` default to these.
 */
export const MODE_LR: Record<TuningMode, number> = { full: 1e-4, lora: 5e-3, sparse: 1e-2 };

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  mode: 'full', // MeZO perturbs every weight; LoRA and sparse narrow what moves
  optimizer: 'zo-sgd', // plain ZO-SGD, MeZO's Algorithm 1
  objective: 'classification', // candidate scoring over the label words (set from the task type)
  steps: 200, // enough for the demo model's loss to visibly fall
  lr: MODE_LR.full, // 1e-4: the tiny demo model needs a far larger step than OPT (paper: 1e-6 .. 1e-7)
  eps: 1e-3, // perturbation scale, MeZO's default
  batch: 16, // MeZO's default batch size
  q: 1, // one perturbation per step (MeZO's n = 1)
  seed: 0, // seeds z for every step: the run record replays from it
  weightDecay: 0, // MeZO uses none
  schedule: 'constant', // MeZO uses a constant learning rate
  clip: 0, // no clipping of the projected gradient
  oneSided: false, // two-sided (central) difference: L(θ+εz) and L(θ-εz)
  evalEvery: 50, // dev accuracy every 50 steps
  evalSplit: 'dev', // the split every demo task holds out
  evalLimit: 100, // dev rows per evaluation: a cheap estimate while training (0 = the whole split)
};

/** LoRA as in MeZO and PEFT: rank 8, alpha 16 (scale 2), on the query and value projections. */
export const DEFAULT_LORA: NonNullable<TrainConfig['lora']> = {
  rank: 8, // MeZO's LoRA rank
  alpha: 16, // scale alpha / rank = 2
  targets: ['q', 'v'], // the query and value projections (PEFT: q_proj, v_proj)
};

/** SensZOQ: the README's measured sparse run. */
export const DEFAULT_SPARSE: NonNullable<TrainConfig['sparse']> = {
  fraction: 1e-3, // 0.1% of the linear weights, SensZOQ's setting
  score: 'activation', // activation-aware magnitude |w| * ||x_col||: the scores SensZOQ found best
  calibrationRows: 32, // train rows whose activations give the column norms
};

/** ZO-DPO (preference/dpo.ts). */
export const DEFAULT_DPO: DpoOptions = {
  beta: 2, // mean log-probs move by hundredths: beta = 2 keeps the margin's sigmoid near its linear range
};
/** Train rows whose DPO metrics each evaluation tracks next to the eval split. */
export const DPO_TRAIN_EVAL_ROWS = 64;

/** ZOPrO (preference/zopro.ts): the demo model's settings in the README's ZOPrO figure. */
export const DEFAULT_ZOPRO: ZoproOptions = {
  k: 4, // completions per prompt (RLOO needs >= 2)
  prompts: 4, // prompts per step: each step samples prompts x k completions
  lambda: { start: 0.5, end: 0.1, schedule: 'linear' }, // lean on the last update early, explore later
  klCoef: 0.05, // KL penalty to the start model
  reward: { kind: 'regex', pattern: '^\\s*[a-z]' }, // demo rule: answer starts lowercase, like a gloss (about half do at first)
  maxNewTokens: 3, // the rule reads the first word: short rollouts keep steps cheap
  temperature: 1, // sample from the policy as it is
};

/** What ZOPrO steps with, always (preference/zoproRun.ts refuses anything else; the training
 *  panel hides these for ZOPrO): plain ZO-SGD along one mixed direction, two-sided. */
export const ZOPRO_STEP: Pick<TrainConfig, 'optimizer' | 'q' | 'weightDecay' | 'clip' | 'oneSided'> = {
  optimizer: 'zo-sgd', q: 1, weightDecay: 0, clip: 0, oneSided: false,
};

/** The settings an objective fixes (the training panel hides them, the engine refuses other values):
 *  ZOPrO's are ZOPRO_STEP's keys; the other objectives fix none. */
export function settingsFixedBy(objective: Objective): readonly (keyof TrainConfig)[] {
  return objective === 'zopro' ? (Object.keys(ZOPRO_STEP) as (keyof typeof ZOPRO_STEP)[]) : [];
}

/** The train config of a tuning mode with every default filled in: what `--mode M` with no other
 *  flag trains, and what the app's default run is for M = full. */
export function defaultConfigFor(mode: TuningMode): TrainConfig {
  const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, mode, lr: MODE_LR[mode] };
  return withOptionBlocks(config);
}

/** Fills in the options block of the chosen mode and objective from the defaults, so a run stores
 *  every setting it trained with; a ZOPrO config gets the step settings ZOPrO honours (ZOPRO_STEP). */
export function withOptionBlocks(c: TrainConfig): TrainConfig {
  const config = { ...c };
  if (config.mode === 'lora' && !config.lora) config.lora = DEFAULT_LORA;
  if (config.mode === 'sparse' && !config.sparse) config.sparse = DEFAULT_SPARSE;
  if (config.objective === 'dpo' && !config.dpo) config.dpo = DEFAULT_DPO;
  if (config.objective === 'zopro' && !config.zopro) config.zopro = DEFAULT_ZOPRO;
  return config.objective === 'zopro' ? { ...config, ...ZOPRO_STEP } : config;
}

/** Model loading defaults. */
export const DEFAULT_PRECISION: WeightPrecision = 'f32'; // the demo model is small: keep full precision
