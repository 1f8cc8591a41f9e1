// Export and import of a rephrased task: task.json (the source task's, plus a `rephrase`
// provenance block without any key) and one JSONL file per split, the same format as
// public/demo-data; plus review.jsonl with every row's original, rewrite and verdicts.
import { loadTaskFromFiles } from '../engine/data/parse';
import type { Task, TaskRow } from '../engine/data/task';
import type { RephraseConfig } from './config';
import { publicEndpoint } from './endpoint';
import { decision, gateStats } from './gate';
import type { RowRecord } from './rows';

export function toJsonl(rows: readonly TaskRow[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

/** The files of the rephrased task, by file name. */
export function exportTaskFiles(rephrased: Task, rows: readonly RowRecord[], config: RephraseConfig): Record<string, string> {
  const stats = gateStats(rows);
  const spec: Record<string, unknown> = { ...rephrased.spec };
  const counts = spec.splits;
  if (counts && typeof counts === 'object' && !Array.isArray(counts)) {
    const updated: Record<string, unknown> = { ...(counts as Record<string, unknown>) };
    for (const [split, list] of Object.entries(rephrased.splits)) if (typeof updated[split] === 'number') updated[split] = list.length;
    spec.splits = updated;
  }
  spec.rephrase = {
    method: 'OAT-Rephrase (arXiv 2506.17264)',
    mode: config.mode,
    rewriter: publicEndpoint(config.rewriter),
    judge: publicEndpoint(config.judge),
    splits: config.splits,
    fields: config.fields,
    rows: stats.total,
    accepted: stats.accepted,
    rejected: stats.rejected,
    failed: stats.failed,
    pending: stats.pending,
    acceptance_rate: stats.acceptanceRate,
  };
  const files: Record<string, string> = { 'task.json': JSON.stringify(spec, null, 2) + '\n' };
  for (const [split, list] of Object.entries(rephrased.splits)) files[`${split}.jsonl`] = toJsonl(list);
  return files;
}

/** One line per rewritten row: what the review panel shows, for reading outside the app. */
export function exportReviewJsonl(rows: readonly RowRecord[]): string {
  return toJsonl(
    rows.map((r) => ({
      key: r.key,
      label: r.label,
      decision: decision(r),
      original: r.original,
      rewrite: r.rewrite ?? null,
      verdict: r.verdict ?? null,
      reason: r.reason ?? null,
      override: r.override ?? null,
      error: r.error ?? null,
    })),
  );
}

/** Reads an exported (or any) task back from its files; rows that fail validation are reported. */
export function importTaskFiles(files: Record<string, string>): { task: Task; problems: string[] } {
  const list = Object.entries(files)
    .filter(([name]) => name !== 'review.jsonl')
    .map(([name, text]) => ({ name, text }));
  const parsed = loadTaskFromFiles(list);
  return { task: { spec: parsed.spec, splits: parsed.splits }, problems: parsed.problems.map((p) => p.message) };
}
