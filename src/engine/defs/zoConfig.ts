// ZO hyperparameters of one run and the learning-rate schedules (MeZO, Malladi et al. 2023,
// Alg. 1; the optimizer family of ZO-Bench, Zhang et al. 2024). A run record stores this object,
// so every field needed to replay a run lives here.
import type { LrSchedule, OptimizerName, TrainConfig } from '../api';
import { FieldReader } from '../files/fields';
import { LR_SCHEDULES, OPTIMIZER_NAMES } from '../config/options';

export interface ZoHyper {
  /** Run seed: the Philox key of every perturbation (shaders/rng.wgsl). */
  seed: number;
  /** Perturbations averaged per step (MeZO's n). 1..4 (the record holds at most 16 bytes a step). */
  q: number;
  optimizer: OptimizerName;
  /** L(theta + eps z) - L(theta) over eps instead of the central difference. */
  oneSided: boolean;
  /** Perturbation scale. */
  eps: number;
  /** Decoupled weight decay, applied only to ranges with decay = true (not norms and biases). */
  weightDecay: number;
  /** Clip |projected gradient| to this value; 0 = off. */
  clip: number;
  /** Base learning rate, shaped by `schedule` over `steps`. */
  lr: number;
  schedule: LrSchedule;
  steps: number;
  /** zo-sgd-momentum: momentum; zo-adam: beta1. */
  beta1: number;
  /** zo-adam: beta2 and epsilon. */
  beta2: number;
  adamEps: number;
}

/** Defaults, one home (MeZO's SST-2 settings for the scales; Adam's usual betas). */
export const ZO_DEFAULTS: ZoHyper = {
  seed: 0,
  q: 1,
  optimizer: 'zo-sgd',
  oneSided: false,
  eps: 1e-3, // MeZO's epsilon for every task in the paper
  weightDecay: 0,
  clip: 0,
  lr: 1e-6, // MeZO full-parameter OPT grid: 1e-6 / 1e-7
  schedule: 'constant', // MeZO uses a constant schedule
  steps: 1000,
  beta1: 0.9,
  beta2: 0.999,
  adamEps: 1e-8,
};

export const MAX_Q = 4;

export function zoHyperFromConfig(c: TrainConfig): ZoHyper {
  return {
    ...ZO_DEFAULTS,
    seed: c.seed >>> 0,
    q: c.q,
    optimizer: c.optimizer,
    oneSided: c.oneSided,
    eps: c.eps,
    weightDecay: c.weightDecay,
    clip: c.clip,
    lr: c.lr,
    schedule: c.schedule,
    steps: c.steps,
    beta1: c.momentum ?? ZO_DEFAULTS.beta1,
  };
}

/**
 * Checks every field of a ZoHyper (types and ranges) and returns it typed. A record or config
 * that fails names the field: a missing lr or schedule would otherwise replay to NaN weights.
 */
export function validateHyper(raw: unknown, file = 'training config', at = 'hyper'): ZoHyper {
  const f = new FieldReader(file);
  const h = f.object(raw, at);
  const p = (k: string) => `${at}.${k}`;
  const q = f.integer(h.q, p('q'), 1, MAX_Q);
  const optimizer = f.oneOf(h.optimizer, p('optimizer'), OPTIMIZER_NAMES);
  if (optimizer === 'zo-sgd-cons' && q > 3) f.fail(p('q'), 'at most 3 with zo-sgd-cons (the record holds the choice too)', q);
  return {
    seed: f.integer(h.seed, p('seed'), 0, 0xffffffff),
    q,
    optimizer,
    oneSided: f.boolean(h.oneSided, p('oneSided')),
    eps: f.number(h.eps, p('eps'), { above: 0 }),
    weightDecay: f.number(h.weightDecay, p('weightDecay'), { min: 0 }),
    clip: f.number(h.clip, p('clip'), { min: 0 }),
    lr: f.number(h.lr, p('lr'), { min: 0 }),
    schedule: f.oneOf(h.schedule, p('schedule'), LR_SCHEDULES),
    steps: f.integer(h.steps, p('steps'), 1),
    beta1: f.number(h.beta1, p('beta1'), { min: 0, max: 0.999999 }),
    beta2: f.number(h.beta2, p('beta2'), { min: 0, max: 0.999999999 }),
    adamEps: f.number(h.adamEps, p('adamEps'), { above: 0 }),
  };
}

/** Learning rate at `step` (0-based): a pure function of the step, so replays need no state. */
export function lrAt(h: Pick<ZoHyper, 'lr' | 'schedule' | 'steps'>, step: number): number {
  const t = h.steps > 0 ? Math.min(1, step / h.steps) : 0;
  switch (h.schedule) {
    case 'constant':
      return h.lr;
    case 'linear':
      return h.lr * (1 - t);
    case 'cosine':
      return h.lr * 0.5 * (1 + Math.cos(Math.PI * t));
  }
}

/** The f32 scalars every ZO kernel reads for one step (the ZoStep uniform in zo_common.wgsl). */
export interface ZoStepScalars {
  seed: number;
  step: number;
  eps: number;
  lr: number;
  weightDecay: number;
  clip: number;
  invQ: number;
  beta1: number;
  beta2: number;
  /** Adam bias corrections 1 - beta^(step + 1). */
  bias1: number;
  bias2: number;
  adamEps: number;
}

/** The ZoStep uniform's fields in declaration order (zo_common.wgsl), as both backends lay it out. */
export const ZO_STEP_FIELDS: readonly { name: keyof ZoStepScalars; type: 'u32' | 'f32' }[] = [
  { name: 'seed', type: 'u32' },
  { name: 'step', type: 'u32' },
  { name: 'eps', type: 'f32' },
  { name: 'lr', type: 'f32' },
  { name: 'weightDecay', type: 'f32' },
  { name: 'clip', type: 'f32' },
  { name: 'invQ', type: 'f32' },
  { name: 'beta1', type: 'f32' },
  { name: 'beta2', type: 'f32' },
  { name: 'bias1', type: 'f32' },
  { name: 'bias2', type: 'f32' },
  { name: 'adamEps', type: 'f32' },
];

export function stepScalars(h: ZoHyper, step: number, lr = lrAt(h, step)): ZoStepScalars {
  const f = Math.fround;
  return {
    seed: h.seed >>> 0,
    step: step >>> 0,
    eps: f(h.eps),
    lr: f(lr),
    weightDecay: f(h.weightDecay),
    clip: f(h.clip),
    invQ: f(1 / h.q),
    beta1: f(h.beta1),
    beta2: f(h.beta2),
    bias1: f(1 - Math.pow(h.beta1, step + 1)),
    bias2: f(1 - Math.pow(h.beta2, step + 1)),
    adamEps: f(h.adamEps),
  };
}
