// ZO-DPO: Direct Preference Optimization (Rafailov et al. 2023) with MeZO's forward-only
// gradient estimate (Malladi et al. 2023, Alg. 1). Per pair, with s = the mean log-prob of a
// response's tokens given the prompt (the task's own score, see wn-define-pref/task.json):
//   loss = -log sigmoid(beta ((s_pi(chosen) - s_ref(chosen)) - (s_pi(rejected) - s_ref(rejected))))
// Mean rather than summed log-probs: the task ranks responses by mean log-prob, and a rejected
// response here is an unrelated definition of any length, so sums would mostly reward length;
// the mean keeps beta's scale independent of response length. The reference is the frozen
// start model: its scores are computed once per row before training and kept as two floats
// per row (no second copy of the model). A step is one submit, exactly as ZoTrainer's.
import type { Backend } from '../gpu/backend';
import type { EncodedExample } from '../training/batches';
import { TaskScorer } from '../training/scorer';
import { ZoTrainer, type TrainerResume, type TrainerSetup } from '../training/trainer';
import { softplusNeg } from '../cpu/loss';

/** Scores [n, 2] (chosen, rejected) of preference rows under the scorer's current weights. */
export async function pairScores(ctx: Backend, scorer: TaskScorer, rows: readonly EncodedExample[], batchSize: number, onProgress?: (done: number) => void): Promise<Float32Array> {
  const out = new Float32Array(rows.length * 2);
  for (let start = 0; start < rows.length; start += batchSize) {
    const chunk = rows.slice(start, start + batchSize);
    const batch = scorer.batch(chunk, 'classification');
    if (batch.scored.some((s) => s.candidates.length !== 2)) throw new Error('DPO needs preference rows: exactly two responses (chosen, rejected) per row');
    scorer.prepare(batch);
    ctx.submit((pass) => scorer.encode(pass), 'pair-scores');
    out.set(await ctx.readF32(scorer.loss.buffers.scores, chunk.length * 2), start * 2);
    onProgress?.(start + chunk.length);
  }
  return out;
}

export interface DpoMetrics {
  /** Mean DPO loss. */
  loss: number;
  /** Mean implicit reward margin beta ((s_c - ref_c) - (s_r - ref_r)). */
  margin: number;
  /** Fraction of pairs with a positive implicit reward margin. */
  rewardAccuracy: number;
  /** The task's metric: fraction of pairs whose chosen response has the higher mean log-prob. */
  accuracy: number;
  n: number;
}

/** DPO metrics from policy and reference scores, both [n, 2]. */
export function dpoMetrics(policy: Float32Array, reference: Float32Array, beta: number): DpoMetrics {
  const n = policy.length / 2;
  let loss = 0;
  let margin = 0;
  let won = 0;
  let right = 0;
  for (let i = 0; i < n; i++) {
    const m = beta * (policy[2 * i] - reference[2 * i] - (policy[2 * i + 1] - reference[2 * i + 1]));
    loss += softplusNeg(m);
    margin += m;
    if (m > 0) won++;
    if (policy[2 * i] > policy[2 * i + 1]) right++;
  }
  return { loss: loss / n, margin: margin / n, rewardAccuracy: won / n, accuracy: right / n, n };
}

export interface DpoSetup extends TrainerSetup {
  beta: number;
  /** The start model's scores of every train row, [train.length, 2]. */
  references: Float32Array;
}

/**
 * MeZO with the DPO objective: ZoTrainer's one-submit step, with each sampled pair carrying the
 * start model's two reference scores into the loss kernel (objective 'dpo').
 */
export function dpoTrainer(s: DpoSetup, resume?: TrainerResume): ZoTrainer {
  if (s.references.length !== s.train.length * 2) throw new Error('DPO: one pair of reference scores per train row');
  const trainer = new ZoTrainer(
    {
      ...s,
      batchOf: (indices, scorer) => {
        const batch = scorer.batch(indices.map((i) => s.train[i]), 'classification');
        batch.scored.forEach((ex, k) => {
          const i = indices[k];
          ex.objective = 'dpo';
          ex.reference = [s.references[2 * i], s.references[2 * i + 1]];
        });
        return batch;
      },
    },
    resume,
  );
  trainer.scorer.loss.setCoefficients({ beta: s.beta, klCoef: 0 });
  return trainer;
}
