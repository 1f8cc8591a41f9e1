// A task's rows turned into token ids once, per split, in the form the scorer batches:
// classification rows score their label words; preference rows score chosen vs rejected
// (label 0 = chosen, so "accuracy" is reward accuracy: chosen's mean log-prob wins);
// generation rows score their answer tokens (language-model loss).
import type { ParsedTask, TaskProblem } from '../data/task';
import type { Tokenizer } from '../data/tokenizer';
import { encodeClassification, encodeLm, encodePreference } from '../data/encode';
import { batchShape, type EncodedExample } from '../training/batches';

export interface EncodedTask {
  name: string;
  type: ParsedTask['spec']['type'];
  splits: Record<string, EncodedExample[]>;
  /** Longest sequence any row needs (prompt + candidate). */
  maxSeqLen: number;
  /** Most candidates of any row. */
  maxCandidates: number;
  /** True when every candidate is a single token (all scored from one prompt pass). */
  singleToken: boolean;
  /** Largest number of scored positions one example needs. */
  maxPositionsPerExample: number;
  /** Rows per example in a batch (candidates become rows when they are multi-token). */
  maxRowsPerExample: number;
  /** Rows longer than the model's context, each skipped or truncated (with its line). */
  problems: TaskProblem[];
  /** Per split, the index in the task's rows of each encoded row (differs once long rows are skipped). */
  sourceRows: Record<string, number[]>;
}

/** What happens to a row longer than the model's context: left out, or its prompt cut from the left. */
export type LongRows = 'skip' | 'truncate';

export interface SequenceLimit {
  /** The model's max_position_embeddings. */
  maxSeqLen: number;
  longRows: LongRows;
}

/**
 * `ex` fitted to `max` tokens: unchanged when it fits; with `truncate`, its prompt loses tokens
 * after the first (<s>) until it fits, keeping every scored token; null when it cannot fit.
 */
function fitExample(ex: EncodedExample, max: number, longRows: LongRows): { ex: EncodedExample | null; over: number } {
  const over = batchShape([ex]).seqLen - max;
  if (over <= 0) return { ex, over: 0 };
  if (longRows === 'skip') return { ex: null, over };
  if (ex.kind === 'lm') {
    const firstScored = ex.enc.lossMask.indexOf(true);
    if (firstScored >= 0 && firstScored - over < 1) return { ex: null, over }; // the answer alone is too long
    const cut = <T>(a: readonly T[]) => [a[0], ...a.slice(1 + over)];
    return { ex: { kind: 'lm', enc: { ...ex.enc, ids: cut(ex.enc.ids), lossMask: cut(ex.enc.lossMask) } }, over };
  }
  const prompt = ex.enc.promptIds;
  if (prompt.length - over < 2) return { ex: null, over }; // <s> and one prompt token at least
  return { ex: { kind: 'classification', enc: { ...ex.enc, promptIds: [prompt[0], ...prompt.slice(1 + over)] } }, over };
}

export function encodeTask(task: ParsedTask, tok: Tokenizer, limit?: SequenceLimit): EncodedTask {
  const splits: Record<string, EncodedExample[]> = {};
  const sourceRows: Record<string, number[]> = {};
  const problems: TaskProblem[] = [];
  for (const [split, rows] of Object.entries(task.splits)) {
    const encoded = rows.map((row): EncodedExample => {
      if (task.spec.type === 'classification') return { kind: 'classification', enc: encodeClassification(task.spec, row, tok) };
      if (task.spec.type === 'preference') {
        const p = encodePreference(task.spec, row, tok);
        return { kind: 'classification', enc: { promptIds: p.promptIds, candidates: [p.chosenIds, p.rejectedIds], label: 0, fallbacks: [] } };
      }
      return { kind: 'lm', enc: encodeLm(task.spec, row, tok) };
    });
    if (!limit) {
      splits[split] = encoded;
      sourceRows[split] = encoded.map((_, i) => i);
      continue;
    }
    splits[split] = [];
    sourceRows[split] = [];
    encoded.forEach((ex, i) => {
      const fitted = fitExample(ex, limit.maxSeqLen, limit.longRows);
      if (fitted.over > 0) {
        const line = task.lines?.[split]?.[i] ?? i + 1;
        const need = fitted.over + limit.maxSeqLen;
        const what = fitted.ex
          ? `truncated: its first ${fitted.over} prompt tokens after <s> were dropped`
          : limit.longRows === 'truncate' ? 'skipped: its scored tokens alone do not fit' : 'skipped (choose truncate to keep it, cut from the left)';
        problems.push({ split, row: line, message: `row ${line}: needs ${need} tokens, more than the model's maximum sequence length ${limit.maxSeqLen}; ${what}` });
      }
      if (fitted.ex) {
        splits[split].push(fitted.ex);
        sourceRows[split].push(i);
      }
    });
  }
  let maxSeqLen = 1;
  let maxCandidates = 1;
  let maxPositionsPerExample = 1;
  let maxRowsPerExample = 1;
  let singleToken = true;
  for (const examples of Object.values(splits)) {
    for (const ex of examples) {
      const shape = batchShape([ex]);
      maxSeqLen = Math.max(maxSeqLen, shape.seqLen);
      maxCandidates = Math.max(maxCandidates, shape.candidates);
      maxPositionsPerExample = Math.max(maxPositionsPerExample, shape.positions);
      maxRowsPerExample = Math.max(maxRowsPerExample, shape.rows);
      if (ex.kind === 'lm' || ex.enc.candidates.some((c) => c.length !== 1)) singleToken = false;
    }
  }
  return { name: task.spec.name, type: task.spec.type, splits, maxSeqLen, maxCandidates, singleToken, maxPositionsPerExample, maxRowsPerExample, problems, sourceRows };
}
