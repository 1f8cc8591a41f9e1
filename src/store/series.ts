// A run's metrics as columns (one array per quantity), appended in place as step events arrive.
// Columns keep 100,000 steps cheap to hold, persist and downsample; the store bumps a version
// number instead of copying them on every frame.
import type { EvalMetrics, RewardMetrics, StepMetrics } from '../engine/api';
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

/** How many times rows were dropped from a series (persistence appends rows, and rewrites a
 *  series whose rows were dropped since its last save). Kept beside the columns, not in them. */
const cuts = new WeakMap<object, number>();
export function cutsOf(series: object): number {
  return cuts.get(series) ?? 0;
}
function noteCut(series: object): void {
  cuts.set(series, cutsOf(series) + 1);
}

/** Keeps only the steps before `step`. */
export function truncateSteps(s: StepSeries, step: number): void {
  let keep = s.step.length;
  while (keep > 0 && s.step[keep - 1] >= step) keep--;
  if (keep < s.step.length) noteCut(s);
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

/**
 * Preference-run curves (ZO-DPO at each evaluation, ZOPrO once per step), one row per reward
 * event. Fields the objective does not report are NaN, so every column keeps one length.
 */
export interface RewardSeries {
  /** Steps done, the count steps and evals use. */
  step: number[];
  /** DPO: 'train' (a fixed train subset) or the eval split; ZOPrO: 'rollout'. */
  split: string[];
  loss: number[];
  margin: number[];
  rewardAccuracy: number[];
  accuracy: number[];
  rewardMean: number[];
  rewardStd: number[];
  kl: number[];
  n: number[];
}

/** The numeric columns, the ones a chart can draw. */
export type RewardColumn = Exclude<keyof RewardSeries, 'step' | 'split'>;
const REWARD_COLUMNS: readonly RewardColumn[] = ['loss', 'margin', 'rewardAccuracy', 'accuracy', 'rewardMean', 'rewardStd', 'kl', 'n'];

export function emptyRewards(): RewardSeries {
  return { step: [], split: [], loss: [], margin: [], rewardAccuracy: [], accuracy: [], rewardMean: [], rewardStd: [], kl: [], n: [] };
}

/**
 * Appends one reward row. Rows are in step order, so a row that goes back (a resumed run
 * replaying from its record, or a ZOPrO run restarted from step 0), or repeats a split already
 * at its step, first drops every row from its step on, as appendStep does for steps.
 */
export function appendReward(r: RewardSeries, m: RewardMetrics): void {
  const last = r.step.length - 1;
  if (last >= 0 && (m.step < r.step[last] || repeatsSplit(r, m.step, m.split))) truncateRewards(r, m.step);
  r.step.push(m.step);
  r.split.push(m.split);
  r.loss.push(m.loss);
  r.margin.push(m.margin ?? NaN);
  r.rewardAccuracy.push(m.rewardAccuracy ?? NaN);
  r.accuracy.push(m.accuracy ?? NaN);
  r.rewardMean.push(m.rewardMean ?? NaN);
  r.rewardStd.push(m.rewardStd ?? NaN);
  r.kl.push(m.kl ?? NaN);
  r.n.push(m.n);
}

/** Whether the rows at `step` (the tail) already hold `split`. */
function repeatsSplit(r: RewardSeries, step: number, split: string): boolean {
  for (let i = r.step.length - 1; i >= 0 && r.step[i] === step; i--) if (r.split[i] === split) return true;
  return false;
}

/** Keeps only the rows before `step`. */
export function truncateRewards(r: RewardSeries, step: number): void {
  let keep = r.step.length;
  while (keep > 0 && r.step[keep - 1] >= step) keep--;
  if (keep < r.step.length) noteCut(r);
  r.step.length = keep;
  r.split.length = keep;
  for (const c of REWARD_COLUMNS) r[c].length = keep;
}

/**
 * A stored reward series made whole: runs saved before reward curves have none (empty), and a
 * JSON run file writes NaN as null, which comes back as NaN here.
 */
export function rewardsFrom(stored: Partial<Record<keyof RewardSeries, unknown[]>> | undefined): RewardSeries {
  const out = emptyRewards();
  const steps = stored?.step;
  if (!Array.isArray(steps)) return out;
  const n = steps.length;
  const numbers = (column: unknown[] | undefined) => Array.from({ length: n }, (_, i) => (typeof column?.[i] === 'number' ? (column[i] as number) : NaN));
  out.step = numbers(steps);
  out.split = Array.from({ length: n }, (_, i) => String(stored?.split?.[i] ?? ''));
  for (const c of REWARD_COLUMNS) out[c] = numbers(stored?.[c]);
  return out;
}
