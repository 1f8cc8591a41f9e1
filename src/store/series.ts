// A run's metrics as columns (one array per quantity), appended in place as step events arrive.
// Columns keep 100,000 steps cheap to hold, persist and downsample; the store bumps a version
// number instead of copying them on every frame.
import type { EvalMetrics, StepMetrics } from '../engine/api';
import { LOSS_SMOOTHING } from './defaults';

export interface StepSeries {
  /** Steps done after this step: the engine's 0-based step index + 1 (evals use the same count). */
  step: number[];
  loss: number[];
  /** Bias-corrected EMA of loss, computed as steps arrive. */
  smoothed: number[];
  lossPlus: number[];
  lossMinus: number[];
  projectedGrad: number[];
  lr: number[];
  seed: number[];
  millis: number[];
}

export interface EvalSeries {
  step: number[];
  split: string[];
  accuracy: number[];
  loss: number[];
  n: number[];
}

export function emptySteps(): StepSeries {
  return { step: [], loss: [], smoothed: [], lossPlus: [], lossMinus: [], projectedGrad: [], lr: [], seed: [], millis: [] };
}

export function emptyEvals(): EvalSeries {
  return { step: [], split: [], accuracy: [], loss: [], n: [] };
}

/**
 * Appends one step. A step at or before the last one (a resumed run replaying from its saved
 * record) first drops the steps it supersedes, so the series never holds a step twice.
 */
export function appendStep(s: StepSeries, m: StepMetrics): void {
  const last = s.step.length - 1;
  if (last >= 0 && m.step <= s.step[last]) truncateSteps(s, m.step);
  const k = s.step.length;
  const prevEma = k > 0 ? emaRaw(s, k - 1) : 0;
  const raw = LOSS_SMOOTHING * prevEma + (1 - LOSS_SMOOTHING) * m.loss;
  s.step.push(m.step);
  s.loss.push(m.loss);
  s.smoothed.push(raw / (1 - Math.pow(LOSS_SMOOTHING, k + 1)));
  s.lossPlus.push(m.lossPlus);
  s.lossMinus.push(m.lossMinus);
  s.projectedGrad.push(m.projectedGrad);
  s.lr.push(m.lr);
  s.seed.push(m.seed);
  s.millis.push(m.millis);
}

/** Undoes the bias correction of the stored smoothed value at index k. */
function emaRaw(s: StepSeries, k: number): number {
  return s.smoothed[k] * (1 - Math.pow(LOSS_SMOOTHING, k + 1));
}

/** Keeps only the steps before `step`. */
export function truncateSteps(s: StepSeries, step: number): void {
  let keep = s.step.length;
  while (keep > 0 && s.step[keep - 1] >= step) keep--;
  for (const column of Object.values(s) as number[][]) column.length = keep;
}

export function appendEval(e: EvalSeries, m: EvalMetrics): void {
  e.step.push(m.step);
  e.split.push(m.split);
  e.accuracy.push(m.accuracy);
  e.loss.push(m.loss);
  e.n.push(m.n);
}

export function lastStep(s: StepSeries): number {
  return s.step.length ? s.step[s.step.length - 1] : 0;
}
