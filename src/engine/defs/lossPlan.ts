// The scoring plan every loss reads (shaders/loss.wgsl, its CPU twin cpu/loss.ts, the scorer):
// which log-probabilities form each candidate's score, each example's objective, and the
// preference objectives' per-candidate reference score and advantage ('dpo', Rafailov et al.
// 2023; 'pg', policy gradient with a KL penalty, for ZOPrO). Pure data: no GPU.

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
