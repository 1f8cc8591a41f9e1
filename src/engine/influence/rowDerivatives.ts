// Per-example directional derivatives along seeded directions (RapidIn's compressed per-example
// gradients, zeroth-order): for direction k and example i,
//   d_ik = (L_i(theta + eps z_k) - L_i(theta - eps z_k)) / 2 eps  ~  grad L_i . z_k,
// with every example evaluated in batches under each perturbation: per direction, two
// perturbation passes over the weights and 2 ceil(N / B) batched forwards, whose per-example
// losses come from the loss kernel (the scorer's exampleLoss, the same numbers a step averages).
import type { Backend } from '../gpu/backend';
import type { LossObjective } from '../defs/lossPlan';
import type { EncodedExample } from '../training/batches';
import type { TaskScorer } from '../training/scorer';
import type { DirectionPlan } from './directions';

export interface DerivativeOptions {
  /** Directions first..first+k-1 of the plan (first defaults to 0). */
  k: number;
  first?: number;
  /** Examples per forward. */
  batch: number;
  /** After each direction (done of k); throw from here to cancel (the caller restores the weights). */
  onDirection?: (done: number, total: number) => void;
}

export interface RowDerivatives {
  /** [examples, k] row-major: d_ik. */
  d: Float32Array;
  /** Per example, the mean over directions of (L+ + L-)/2: its loss at theta to first order. */
  loss: Float64Array;
}

/** Per-example losses of `examples` at the current weights, one submit per batch, read without stalls between submits. */
export function exampleLosses(ctx: Backend, scorer: TaskScorer, examples: readonly EncodedExample[], objective: LossObjective, batch: number): Promise<Float32Array>[] {
  const reads: Promise<Float32Array>[] = [];
  for (let start = 0; start < examples.length; start += batch) {
    const chunk = examples.slice(start, start + batch);
    scorer.prepare(scorer.batch(chunk, objective));
    ctx.submit((pass) => scorer.encode(pass, 0), 'influence-forward');
    reads.push(ctx.readF32(scorer.loss.buffers.exampleLoss, chunk.length)); // the copy is queued before the next submit
  }
  return reads;
}

/** d_ik for every example and direction k < options.k; the weights end as they started. */
export async function rowDerivatives(
  ctx: Backend, scorer: TaskScorer, plan: DirectionPlan, examples: readonly EncodedExample[], objective: LossObjective, options: DerivativeOptions,
): Promise<RowDerivatives> {
  const { k, batch } = options;
  const n = examples.length;
  const d = new Float32Array(n * k);
  const loss = new Float64Array(n);
  const inv = 1 / (2 * plan.eps);
  const first = options.first ?? 0;
  for (let dir = 0; dir < k; dir++) {
    plan.plus(first + dir);
    const plus = exampleLosses(ctx, scorer, examples, objective, batch);
    plan.minus();
    const minus = exampleLosses(ctx, scorer, examples, objective, batch);
    plan.restore();
    const lp = concat(await Promise.all(plus));
    const lm = concat(await Promise.all(minus));
    for (let i = 0; i < n; i++) {
      d[i * k + dir] = (lp[i] - lm[i]) * inv;
      loss[i] += (lp[i] + lm[i]) / 2 / k;
    }
    options.onDirection?.(dir + 1, k);
  }
  return { d, loss };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
