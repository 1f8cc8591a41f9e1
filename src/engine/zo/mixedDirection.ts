// ZOPrO's direction bookkeeping (Galatolo et al. 2025, arXiv 2503.03460): the perturbation of
// step t is z_t = lambda_t mu_t + sqrt(1 - lambda_t^2) (||mu_t|| / ||n_t||) n_t, with
//   mu_t = -sign(g_{t-1}) z_{t-1}   the previous update direction (SGD moved theta by -lr g z),
//   n_t                            fresh Gaussian noise: the stream of step t,
// and lambda decaying on a schedule. Every z is a linear combination of the Gaussian streams of
// earlier steps, kept here as (step, coef) terms, so the GPU regenerates it from the seed and
// never stores a vector. Older terms shrink by lambda per step; terms below TERM_FLOOR of the
// largest, and any beyond MAX_MIX_TERMS, are dropped (the truncated z is then the direction,
// used consistently for both perturbations, the update and the next mu).
import { MAX_MIX_TERMS, type MixTerm } from '../defs/zoMix';

export const TERM_FLOOR = 1e-3;

export interface LambdaSchedule {
  start: number;
  end: number;
  schedule: 'linear' | 'cosine' | 'constant';
}

/** lambda at `step` of `steps`, in [0, 1). */
export function lambdaAt(s: LambdaSchedule, step: number, steps: number): number {
  const t = steps > 1 ? Math.min(1, step / (steps - 1)) : 0;
  const v = s.schedule === 'constant' ? s.start : s.schedule === 'linear' ? s.start + (s.end - s.start) * t : s.end + 0.5 * (s.start - s.end) * (1 + Math.cos(Math.PI * t));
  return Math.min(Math.max(v, 0), 0.999);
}

/** The terms of mu_t from the previous direction and its projected gradient ([] when none). */
export function previousUpdate(prev: readonly MixTerm[] | null, grad: number): MixTerm[] {
  if (!prev || !(grad !== 0 && Number.isFinite(grad))) return [];
  const s = -Math.sign(grad);
  return prev.map((t) => ({ step: t.step, coef: s * t.coef }));
}

/**
 * z_t's terms: lambda mu + sqrt(1 - lambda^2) (||mu|| / ||n||) n_t. With no mu (the first step,
 * or a skipped update), z_t = n_t.
 */
export function mixTerms(step: number, mu: readonly MixTerm[], lambda: number, muNorm: number, noiseNorm: number): MixTerm[] {
  if (!mu.length || !(muNorm > 0) || !(noiseNorm > 0)) return [{ step, coef: 1 }];
  const terms = mu.map((t) => ({ step: t.step, coef: lambda * t.coef }));
  terms.push({ step, coef: Math.sqrt(1 - lambda * lambda) * (muNorm / noiseNorm) });
  const largest = Math.max(...terms.map((t) => Math.abs(t.coef)));
  return terms.filter((t) => Math.abs(t.coef) >= TERM_FLOOR * largest).slice(-MAX_MIX_TERMS);
}
