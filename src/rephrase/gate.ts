// The rejection gate of OAT-Rephrase: a rewrite enters the rephrased task only if accepted
// (by the judge, or by the user's override in review); rejected and failed rows keep their
// original. Modes: replace (same size) or augment (originals plus accepted rewrites).
import type { Task, TaskRow } from '../engine/data/task';
import type { RephraseMode } from './config';
import type { RowRecord } from './rows';

export type Decision = 'accept' | 'reject' | 'failed' | 'pending';

/** The row's effective decision: the override (when there is a rewrite), else the judge's. */
export function decision(row: RowRecord): Decision {
  if (row.override && row.rewrite) return row.override;
  if (row.status === 'judged' && row.verdict) return row.verdict;
  return row.status === 'failed' ? 'failed' : 'pending';
}

export interface GateStats {
  total: number;
  accepted: number;
  rejected: number;
  failed: number;
  pending: number;
  /** The judge's accepts over its verdicts (the paper's "rewriter accuracy"), null before any. */
  acceptanceRate: number | null;
}

export function gateStats(rows: readonly RowRecord[]): GateStats {
  const s: GateStats = { total: rows.length, accepted: 0, rejected: 0, failed: 0, pending: 0, acceptanceRate: null };
  let judged = 0;
  let judgeAccepts = 0;
  for (const row of rows) {
    const d = decision(row);
    if (d === 'accept') s.accepted++;
    else if (d === 'reject') s.rejected++;
    else if (d === 'failed') s.failed++;
    else s.pending++;
    if (row.status === 'judged') {
      judged++;
      if (row.verdict === 'accept') judgeAccepts++;
    }
  }
  s.acceptanceRate = judged > 0 ? judgeAccepts / judged : null;
  return s;
}

/** The rephrased task: other splits and every field not rewritten are copied unchanged. */
export function buildRephrasedTask(task: Task, rows: readonly RowRecord[], mode: RephraseMode): Task {
  const accepted = new Map<string, RowRecord>();
  for (const row of rows) if (decision(row) === 'accept') accepted.set(row.key, row);
  const splits: Record<string, TaskRow[]> = {};
  for (const [split, original] of Object.entries(task.splits)) {
    const rewritten = (index: number): TaskRow | undefined => {
      const row = accepted.get(`${split}:${index}`);
      return row ? { ...original[index], ...row.rewrite } : undefined;
    };
    if (mode === 'replace') {
      splits[split] = original.map((r, i) => rewritten(i) ?? { ...r });
    } else {
      const extra = original.map((_, i) => rewritten(i)).filter((r): r is TaskRow => r !== undefined);
      splits[split] = [...original.map((r) => ({ ...r })), ...extra];
    }
  }
  return { spec: { ...task.spec }, splits };
}
