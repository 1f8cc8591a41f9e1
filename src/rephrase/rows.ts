// The review data model: one RowRecord per task row being rewritten (original fields, rewrite,
// judge verdict and reason, manual override, failure, token usage), and how rows are chosen.
import type { Task, TaskRow, TaskSpec } from '../engine/data/task';
import { ZERO_USAGE, type Usage } from './client';

/** pending: nothing paid yet; rewritten: awaiting the judge; judged; failed (keeps the original). */
export type RowStatus = 'pending' | 'rewritten' | 'judged' | 'failed';

export interface RowRecord {
  /** `${split}:${index}` */
  key: string;
  split: string;
  index: number;
  /** The fields being rewritten, as in the task. */
  original: Record<string, string>;
  /** The row's label word (classification) or "(none)". */
  label: string;
  rewrite?: Record<string, string>;
  verdict?: 'accept' | 'reject';
  reason?: string;
  /** The user's decision in review; wins over the judge's verdict. */
  override?: 'accept' | 'reject';
  status: RowStatus;
  error?: string;
  /** HTTP requests made for this row, retries included. */
  requests: number;
  usage: { rewriter: Usage; judge: Usage };
}

export function rowKey(split: string, index: number): string {
  return `${split}:${index}`;
}

/** Default fields to rewrite: the {placeholders} of the prompt template that rows hold as text. */
export function defaultFields(spec: TaskSpec, sample: TaskRow | undefined): string[] {
  if (!sample) return [];
  const isText = (f: string): boolean => typeof sample[f] === 'string';
  const fromTemplate = [...spec.prompt_template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!).filter(isText);
  if (fromTemplate.length > 0) return [...new Set(fromTemplate)];
  return ['text', 'prompt'].filter(isText).slice(0, 1);
}

/** The label word of a row: `label` indexes label_words (or labels); a string label is itself. */
export function labelOf(spec: TaskSpec, row: TaskRow): string {
  const label = row.label;
  if (typeof label === 'number') {
    const word = spec.label_words?.[label] ?? spec.labels?.[label];
    return word !== undefined ? word.trim() : String(label);
  }
  if (typeof label === 'string') return label;
  return '(none)';
}

/** The rows a job rewrites, in task order, as fresh pending records. */
export function selectRows(task: Task, splits: readonly string[], fields: readonly string[], limit: number): RowRecord[] {
  const out: RowRecord[] = [];
  for (const split of splits) {
    const rows = task.splits[split] ?? [];
    const n = limit > 0 ? Math.min(limit, rows.length) : rows.length;
    for (let index = 0; index < n; index++) {
      const row = rows[index]!;
      const original: Record<string, string> = {};
      for (const f of fields) original[f] = typeof row[f] === 'string' ? (row[f] as string) : String(row[f] ?? '');
      out.push({ key: rowKey(split, index), split, index, original, label: labelOf(task.spec, row), status: 'pending', requests: 0, usage: { rewriter: { ...ZERO_USAGE }, judge: { ...ZERO_USAGE } } });
    }
  }
  return out;
}

/** A stored record still describes this row of this task (same fields, same label). */
export function sameRow(stored: RowRecord, fresh: RowRecord): boolean {
  return stored.key === fresh.key && stored.label === fresh.label && JSON.stringify(stored.original) === JSON.stringify(fresh.original);
}
