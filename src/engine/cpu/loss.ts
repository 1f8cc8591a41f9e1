// Scoring plans and the CPU reference of shaders/loss.wgsl: per-example losses from scored
// log-probabilities, MeZO's candidate scoring (mean log-prob of a candidate's tokens).

export type LossObjective = 'classification' | 'lm' | 'neg-accuracy';

export const OBJECTIVE_CODE: Record<LossObjective, number> = { classification: 0, lm: 1, 'neg-accuracy': 2 };

export interface ScoredExample {
  /** For each candidate, indices into the flat logprobs array of its tokens. */
  candidates: number[][];
  label: number;
  objective: LossObjective;
}

export interface ScoringPlan {
  words: Uint32Array;
  examples: number;
  candidates: number;
  candidateBase: number;
  tokenBase: number;
}

export function buildScoringPlan(examples: ScoredExample[]): ScoringPlan {
  const E = examples.length;
  const C = examples.reduce((n, e) => n + e.candidates.length, 0);
  const T = examples.reduce((n, e) => n + e.candidates.reduce((m, c) => m + c.length, 0), 0);
  const words = new Uint32Array(4 * E + 2 * C + T);
  const candidateBase = 4 * E;
  const tokenBase = candidateBase + 2 * C;
  let c = 0;
  let t = 0;
  examples.forEach((ex, e) => {
    words.set([c, ex.candidates.length, ex.label, OBJECTIVE_CODE[ex.objective]], 4 * e);
    for (const tokens of ex.candidates) {
      words[candidateBase + 2 * c] = t;
      words[candidateBase + 2 * c + 1] = tokens.length;
      words.set(tokens, tokenBase + t);
      t += tokens.length;
      c++;
    }
  });
  return { words, examples: E, candidates: C, candidateBase, tokenBase };
}

export interface LossResult {
  scores: Float32Array; // [C]
  exampleLoss: Float32Array; // [E]
  batchLoss: number;
}

export function lossRef(logprobs: Float32Array, examples: ScoredExample[]): LossResult {
  const scores: number[] = [];
  const losses = examples.map((ex) => {
    const s = ex.candidates.map((tokens) => tokens.reduce((a, i) => a + logprobs[i], 0) / Math.max(tokens.length, 1));
    scores.push(...s);
    const best = Math.max(...s);
    const argmax = s.indexOf(best);
    if (ex.objective === 'lm') return -s[ex.label];
    if (ex.objective === 'neg-accuracy') return argmax === ex.label ? -1 : 0;
    return best + Math.log(s.reduce((a, v) => a + Math.exp(v - best), 0)) - s[ex.label];
  });
  return {
    scores: Float32Array.from(scores),
    exampleLoss: Float32Array.from(losses),
    batchLoss: losses.reduce((a, b) => a + b, 0) / Math.max(losses.length, 1),
  };
}
