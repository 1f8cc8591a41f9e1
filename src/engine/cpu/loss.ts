// Scoring plans and the CPU reference of shaders/loss.wgsl: per-example losses from scored
// log-probabilities, MeZO's candidate scoring (mean log-prob of a candidate's tokens).
// 'dpo' (Rafailov et al. 2023) and 'pg' (policy gradient with a KL penalty, for ZOPrO) read each
// candidate's reference score and advantage from the plan's `aux` array (see shaders/loss.wgsl).

export type LossObjective = 'classification' | 'lm' | 'neg-accuracy' | 'dpo' | 'pg';

export const OBJECTIVE_CODE: Record<LossObjective, number> = { classification: 0, lm: 1, 'neg-accuracy': 2, dpo: 3, pg: 4 };

/** Run-level scalars of the preference objectives (the loss kernel's uniform). */
export interface LossCoefficients {
  /** DPO's beta: scale of the implicit reward. */
  beta: number;
  /** Policy gradient: weight of the KL penalty to the reference. */
  klCoef: number;
}

export const DEFAULT_LOSS_COEFFICIENTS: LossCoefficients = { beta: 0.1, klCoef: 0 };

export interface ScoredExample {
  /** For each candidate, indices into the flat logprobs array of its tokens. */
  candidates: number[][];
  label: number;
  objective: LossObjective;
  /** dpo / pg: the reference model's score of each candidate (mean log-prob, as the score). */
  reference?: number[];
  /** pg: the advantage of the (single) candidate. */
  advantage?: number;
}

export interface ScoringPlan {
  words: Uint32Array;
  examples: number;
  candidates: number;
  candidateBase: number;
  tokenBase: number;
  /** f32 [C, 2]: (reference score, advantage) per candidate; zeros where unused. */
  aux: Float32Array;
}

export function buildScoringPlan(examples: ScoredExample[]): ScoringPlan {
  const E = examples.length;
  const C = examples.reduce((n, e) => n + e.candidates.length, 0);
  const T = examples.reduce((n, e) => n + e.candidates.reduce((m, c) => m + c.length, 0), 0);
  const words = new Uint32Array(4 * E + 2 * C + T);
  const aux = new Float32Array(2 * C);
  const candidateBase = 4 * E;
  const tokenBase = candidateBase + 2 * C;
  let c = 0;
  let t = 0;
  examples.forEach((ex, e) => {
    words.set([c, ex.candidates.length, ex.label, OBJECTIVE_CODE[ex.objective]], 4 * e);
    for (const [k, tokens] of ex.candidates.entries()) {
      aux[2 * c] = ex.reference?.[k] ?? 0;
      aux[2 * c + 1] = ex.advantage ?? 0;
      words[candidateBase + 2 * c] = t;
      words[candidateBase + 2 * c + 1] = tokens.length;
      words.set(tokens, tokenBase + t);
      t += tokens.length;
      c++;
    }
  });
  return { words, examples: E, candidates: C, candidateBase, tokenBase, aux };
}

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
