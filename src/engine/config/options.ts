// Every option list a run is configured from, written once. The types in ../api.ts derive from
// these lists, the CLI validates its flags against them and the training panel draws its select
// boxes from them, so a new mode / optimizer / objective / schedule is added here and nowhere else.
// Plain data: no GPU, no DOM (the main bundle imports it).

/** What moves during a run (training/fullMode.ts, loraMode.ts, sparseMode.ts). */
export const TUNING_MODES = ['full', 'lora', 'sparse'] as const;
/** The ZO optimizers of src/engine/defs/zoOptimizers.ts (each is a WGSL entry point with a CPU twin). */
export const OPTIMIZER_NAMES = ['zo-sgd', 'zo-sgd-sign', 'zo-sgd-momentum', 'zo-sgd-cons', 'zo-adam'] as const;
/** The loss a run minimizes; the preference objectives need a preference task. */
export const OBJECTIVES = ['classification', 'lm', 'neg-accuracy', 'dpo', 'zopro'] as const;
/** Learning-rate schedules of src/engine/defs/zoConfig.ts (lrAt). */
export const LR_SCHEDULES = ['constant', 'linear', 'cosine'] as const;
/** How SensZOQ picks its sparse weights (training/sensitivity.ts). */
export const SPARSE_SCORES = ['magnitude', 'activation', 'random'] as const;
/** How ZOPrO's weight on the previous update decays over the run. */
export const LAMBDA_SCHEDULES = ['linear', 'cosine', 'constant'] as const;
/** Where the kernels run: WebGPU when an adapter exists, else the CPU ('auto'), or one of them. */
export const BACKEND_CHOICES = ['auto', 'webgpu', 'cpu'] as const;
/** Weight precisions a model loads in. */
export const WEIGHT_PRECISIONS = ['f32', 'f16', 'q8', 'q4'] as const;

export type TuningMode = (typeof TUNING_MODES)[number];
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];
export type Objective = (typeof OBJECTIVES)[number];
export type LrSchedule = (typeof LR_SCHEDULES)[number];
export type SparseScore = (typeof SPARSE_SCORES)[number];
export type LambdaSchedule = (typeof LAMBDA_SCHEDULES)[number];
export type WeightPrecision = (typeof WEIGHT_PRECISIONS)[number];

/** What the training panel calls each choice. */
export const TUNING_MODE_LABELS: Record<TuningMode, string> = {
  full: 'Full (every weight)',
  lora: 'LoRA adapters',
  sparse: 'Sparse (most sensitive weights)',
};
export const OPTIMIZER_LABELS: Record<OptimizerName, string> = {
  'zo-sgd': 'ZO-SGD (MeZO)',
  'zo-sgd-sign': 'ZO-SGD, sign of gradient',
  'zo-sgd-momentum': 'ZO-SGD with momentum',
  'zo-sgd-cons': 'ZO-SGD, conservative',
  'zo-adam': 'ZO-Adam',
};
export const OBJECTIVE_LABELS: Record<Objective, string> = {
  classification: 'Cross-entropy over label words',
  'neg-accuracy': 'Negative accuracy (non-differentiable)',
  dpo: 'DPO',
  zopro: 'ZO preference (ZOPrO)',
  lm: 'Language-model loss',
};
export const SPARSE_SCORE_LABELS: Record<SparseScore, string> = {
  magnitude: 'Weight magnitude',
  activation: 'Activation-aware',
  random: 'Random (baseline)',
};

/** The objectives a task type can train with, the first being the one its tasks start with. */
export const OBJECTIVES_BY_TASK_TYPE = {
  classification: ['classification', 'neg-accuracy'],
  preference: ['dpo', 'zopro'],
  generation: ['lm'],
} as const satisfies Record<string, readonly Objective[]>;

/** `value` is one of `list`: narrows a string read from a flag or a file. */
export function isOneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}
