// Encoded examples -> one forward call (right-padded token rows, scored positions, targets)
// plus the scoring plan the loss kernel reads. MeZO's candidate scoring: when every label
// word is one token, all candidates are read from the prompt's last position in one pass;
// otherwise each (example, candidate) is its own row and scores the candidate's tokens.
import type { EncodedClassification, EncodedLm } from '../data/encode';
import type { ForwardInput } from '../model/llama';
import type { LossObjective, ScoredExample } from '../defs/lossPlan';

export type EncodedExample = { kind: 'classification'; enc: EncodedClassification } | { kind: 'lm'; enc: EncodedLm };

export interface ScoredBatch {
  input: ForwardInput;
  scored: ScoredExample[];
}

/** Rows and positions a batch needs, for sizing the forward pass's buffers. */
export function batchShape(examples: readonly EncodedExample[]): { rows: number; seqLen: number; positions: number; candidates: number } {
  let rows = 0;
  let seqLen = 1;
  let positions = 0;
  let candidates = 1;
  for (const ex of examples) {
    if (ex.kind === 'lm') {
      rows += 1;
      seqLen = Math.max(seqLen, ex.enc.ids.length);
      positions += ex.enc.lossMask.filter(Boolean).length;
      continue;
    }
    const { promptIds, candidates: cands } = ex.enc;
    if (cands.every((c) => c.length === 1)) {
      rows += 1;
      seqLen = Math.max(seqLen, promptIds.length);
      positions += 1;
      candidates = Math.max(candidates, cands.length);
    } else {
      rows += cands.length;
      for (const c of cands) {
        seqLen = Math.max(seqLen, promptIds.length + c.length);
        positions += c.length;
      }
    }
  }
  return { rows, seqLen, positions, candidates };
}

export function buildScoredBatch(examples: readonly EncodedExample[], objective: LossObjective, padId: number, maxCandidates: number): ScoredBatch {
  const shape = batchShape(examples);
  const sequences: number[][] = [];
  const positions: number[] = [];
  const targets: number[] = []; // [P, C] with C = shape.candidates
  const C = shape.candidates;
  const scored: ScoredExample[] = [];
  const T = shape.seqLen;
  const addPosition = (row: number, t: number, ids: number[]): number => {
    const p = positions.length;
    positions.push(row * T + t);
    for (let c = 0; c < C; c++) targets.push(ids[c] ?? 0);
    return p;
  };
  for (const ex of examples) {
    if (ex.kind === 'lm') {
      const row = sequences.length;
      sequences.push(ex.enc.ids);
      const indices: number[] = [];
      ex.enc.lossMask.forEach((scoredToken, t) => {
        if (scoredToken && t > 0) indices.push(addPosition(row, t - 1, [ex.enc.ids[t]]) * maxCandidates);
      });
      scored.push({ candidates: [indices], label: 0, objective: 'lm' });
      continue;
    }
    const { promptIds, candidates, label } = ex.enc;
    if (candidates.every((c) => c.length === 1)) {
      const row = sequences.length;
      sequences.push(promptIds);
      const p = addPosition(row, promptIds.length - 1, candidates.map((c) => c[0]));
      scored.push({ candidates: candidates.map((_, c) => [p * maxCandidates + c]), label, objective });
      continue;
    }
    const perCandidate = candidates.map((cand) => {
      const row = sequences.length;
      const ids = [...promptIds, ...cand];
      sequences.push(ids);
      return cand.map((tok, j) => addPosition(row, promptIds.length - 1 + j, [tok]) * maxCandidates);
    });
    scored.push({ candidates: perCandidate, label, objective });
  }
  const ids = new Uint32Array(sequences.length * T).fill(padId);
  sequences.forEach((s, b) => ids.set(s, b * T));
  return {
    input: { ids, batch: sequences.length, seqLen: T, positions: Uint32Array.from(positions), targets: Uint32Array.from(targets), candidates: C },
    scored,
  };
}
