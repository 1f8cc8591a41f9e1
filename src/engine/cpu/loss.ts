// Scoring plans and the CPU reference of shaders/loss.wgsl: per-example losses from scored
// log-probabilities, MeZO's candidate scoring (mean log-prob of a candidate's tokens).
// 'dpo' (Rafailov et al. 2023) and 'pg' (policy gradient with a KL penalty, for ZOPrO) read each
// candidate's reference score and advantage from the plan's `aux` array (see shaders/loss.wgsl).
// The plan itself is a pure definition shared with the GPU kernel: src/engine/defs/lossPlan.ts.
import { DEFAULT_LOSS_COEFFICIENTS, type LossCoefficients, type ScoredExample } from '../defs/lossPlan';

export interface LossResult {
  scores: Float32Array; // [C]
  exampleLoss: Float32Array; // [E]
  batchLoss: number;
}

/** -log sigmoid(x), stable for either sign. */
export function softplusNeg(x: number): number {
  return Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export function lossRef(logprobs: Float32Array, examples: ScoredExample[], coef: LossCoefficients = DEFAULT_LOSS_COEFFICIENTS): LossResult {
  const scores: number[] = [];
  const losses = examples.map((ex) => {
    const s = ex.candidates.map((tokens) => tokens.reduce((a, i) => a + logprobs[i], 0) / Math.max(tokens.length, 1));
    scores.push(...s);
    const best = Math.max(...s);
    const argmax = s.indexOf(best);
    if (ex.objective === 'lm') return -s[ex.label];
    if (ex.objective === 'neg-accuracy') return argmax === ex.label ? -1 : 0;
    const ref = ex.reference ?? s.map(() => 0);
    if (ex.objective === 'dpo') {
      const r = ex.label === 0 ? 1 : 0;
      return softplusNeg(coef.beta * (s[ex.label] - ref[ex.label] - (s[r] - ref[r])));
    }
    if (ex.objective === 'pg') {
      const d = ref[0] - s[0];
      return -(ex.advantage ?? 0) * s[0] + coef.klCoef * (Math.exp(d) - d - 1);
    }
    return best + Math.log(s.reduce((a, v) => a + Math.exp(v - best), 0)) - s[ex.label];
  });
  return {
    scores: Float32Array.from(scores),
    exampleLoss: Float32Array.from(losses),
    batchLoss: losses.reduce((a, b) => a + b, 0) / Math.max(losses.length, 1),
  };
}
