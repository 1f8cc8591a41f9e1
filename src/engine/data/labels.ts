// The label set of an uploaded classification file, read from every row (of every split), not
// from the first rows seen: a 3-class CSV whose first rows are all positive or negative is still
// 3-class. Labels are kept as written; the label words the model scores start as the labels
// themselves (each with its leading space) and stay editable.
import type { TaskRow } from './task';

export interface LabelSet {
  /** Distinct label values as written (trimmed): integers ascending, words in order of first appearance. */
  values: string[];
  /** Rows carrying each value. */
  counts: number[];
  /** Every value is a non-negative integer (an index into label words). */
  numeric: boolean;
  /** Rows with no label (missing or blank): validation reports them. */
  missing: number;
}

/** Distinct values of `field` over all the given row lists. */
export function inferLabels(rowLists: readonly (readonly TaskRow[])[], field = 'label'): LabelSet {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const rows of rowLists) {
    for (const row of rows) {
      const raw = row[field];
      const value = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : '';
      if (!value) {
        missing++;
        continue;
      }
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
  }
  let values = [...counts.keys()];
  const numeric = values.length > 0 && values.every((v) => /^\d+$/.test(v));
  if (numeric) values = values.sort((a, b) => Number(a) - Number(b));
  return { values, counts: values.map((v) => counts.get(v)!), numeric, missing };
}

/**
 * Label words to score for a label set: word labels score themselves (" positive"); integer
 * labels 0..n-1 have no words in the file, so they start as the numbers for the user to replace.
 */
export function defaultLabelWords(labels: LabelSet): string[] {
  return labels.values.map((v) => ` ${v}`);
}

/** Comma-separated list as the upload form shows it ("positive, negative, neutral"). */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);
}
