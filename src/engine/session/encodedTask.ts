// A task's rows turned into token ids once, per split, in the form the scorer batches:
// classification rows score their label words; preference rows score chosen vs rejected
// (label 0 = chosen, so "accuracy" is reward accuracy: chosen's mean log-prob wins);
// generation rows score their answer tokens (language-model loss).
import type { ParsedTask } from '../data/task';
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
}

export function encodeTask(task: ParsedTask, tok: Tokenizer): EncodedTask {
  const splits: Record<string, EncodedExample[]> = {};
  for (const [split, rows] of Object.entries(task.splits)) {
    splits[split] = rows.map((row): EncodedExample => {
      if (task.spec.type === 'classification') return { kind: 'classification', enc: encodeClassification(task.spec, row, tok) };
      if (task.spec.type === 'preference') {
        const p = encodePreference(task.spec, row, tok);
        return { kind: 'classification', enc: { promptIds: p.promptIds, candidates: [p.chosenIds, p.rejectedIds], label: 0, fallbacks: [] } };
      }
      return { kind: 'lm', enc: encodeLm(task.spec, row, tok) };
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
  return { name: task.spec.name, type: task.spec.type, splits, maxSeqLen, maxCandidates, singleToken, maxPositionsPerExample, maxRowsPerExample };
}
