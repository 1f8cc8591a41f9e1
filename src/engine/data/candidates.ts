// Per-task report on the label words' tokens: whether every candidate of every row is one
// token (then all candidates are scored from one forward pass over the prompt, reading the
// label tokens' logits at the last position), and where the prefix property failed.
import { encodeClassification } from './encode';
import type { Task, TaskProblem } from './task';
import type { Tokenizer } from './tokenizer';

export interface CandidateReport {
  /** Every candidate of every row is a single token. */
  singleToken: boolean;
  /** When singleToken and each label word gives the same token in every row: those ids. */
  labelTokenIds: number[] | null;
  /** Longest candidate (in tokens) of each label word over all rows. */
  maxTokens: number[];
  /** Rows (index into the split's rows) whose candidate tokens did not extend the prompt's
   *  tokens, so the label word was tokenized alone. */
  fallbacks: { split: string; row: number; labelIndex: number }[];
  /** Notes worth showing: multi-token label words, disagreement with task.json's label_token_ids. */
  notes: TaskProblem[];
}

/** Encodes every row of every split once and summarizes the candidates' tokens. */
export function analyzeCandidates(task: Task, tok: Tokenizer): CandidateReport {
  const words = task.spec.label_words ?? [];
  const maxTokens = words.map(() => 0);
  const ids: (number | null | undefined)[] = words.map(() => undefined);
  const fallbacks: CandidateReport['fallbacks'] = [];
  for (const [split, rows] of Object.entries(task.splits)) {
    rows.forEach((row, r) => {
      const enc = encodeClassification(task.spec, row, tok);
      for (const labelIndex of enc.fallbacks) fallbacks.push({ split, row: r, labelIndex });
      enc.candidates.forEach((c, i) => {
        maxTokens[i] = Math.max(maxTokens[i], c.length);
        const single = c.length === 1 ? c[0] : null;
        if (ids[i] === undefined) ids[i] = single;
        else if (ids[i] !== single) ids[i] = null;
      });
    });
  }
  const singleToken = words.length > 0 && maxTokens.every((n) => n === 1);
  const labelTokenIds = singleToken && ids.every((id) => typeof id === 'number') ? (ids as number[]) : null;
  const notes: TaskProblem[] = [];
  words.forEach((word, i) => {
    if (maxTokens[i] > 1) {
      notes.push({
        split: 'task.json',
        row: 0,
        message: `label word ${JSON.stringify(word)} is up to ${maxTokens[i]} tokens; candidates are scored by the mean log-prob of their tokens (one forward pass per candidate)`,
      });
    }
  });
  const declared = task.spec.label_token_ids;
  if (Array.isArray(declared) && labelTokenIds && declared.some((id, i) => id !== labelTokenIds[i])) {
    notes.push({
      split: 'task.json',
      row: 0,
      message: `label_token_ids in task.json are [${declared.join(', ')}] but this tokenizer gives [${labelTokenIds.join(', ')}]; the tokenizer's ids are used`,
    });
  }
  return { singleToken, labelTokenIds, maxTokens, fallbacks, notes };
}
