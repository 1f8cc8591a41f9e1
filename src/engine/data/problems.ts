// Problems grouped for people: forty rows missing the same field are one problem with forty
// line numbers, not forty lines of the same sentence.
import { templateFields } from './template';
import type { TaskProblem } from './task';

export interface ProblemGroup {
  split: string;
  /** The message without its "row N: " prefix. */
  message: string;
  /** The 1-based file lines it occurs on, ascending (empty for whole-file problems). */
  rows: number[];
}

/** Groups problems with the same split and message, in order of first occurrence; a line reported twice (by the app and the engine) counts once. */
export function groupProblems(problems: readonly TaskProblem[]): ProblemGroup[] {
  const groups = new Map<string, ProblemGroup>();
  for (const p of problems) {
    const message = p.message.replace(/^(row|line) \d+: /, '');
    const key = `${p.split}\u0000${message}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { split: p.split, message, rows: [] }));
    if (p.row > 0 && !group.rows.includes(p.row)) group.rows.push(p.row);
  }
  for (const g of groups.values()) g.rows.sort((a, b) => a - b);
  return [...groups.values()];
}

/** "line 4", "lines 2, 3 and 9", "lines 2, 3, 4 … (41 lines)". */
export function describeLines(rows: readonly number[], shown = 6): string {
  if (rows.length === 0) return '';
  if (rows.length === 1) return `line ${rows[0]}`;
  if (rows.length <= shown) return `lines ${rows.slice(0, -1).join(', ')} and ${rows[rows.length - 1]}`;
  return `lines ${rows.slice(0, shown).join(', ')} … (${rows.length} lines)`;
}

/**
 * A template placeholder that no row can fill, said once instead of once per row: "the template
 * uses {txt}, which is not a column; the columns are text, label". `noun` names what the
 * available names are ('column' for a mapped upload, 'field' for a task's rows). Null when every
 * placeholder is available or the template does not parse (validateSpec reports that).
 */
export function unknownTemplateFields(template: string, available: readonly string[], noun = 'column'): string | null {
  let fields: string[];
  try {
    fields = templateFields(template);
  } catch {
    return null;
  }
  const unknown = fields.filter((f) => !available.includes(f));
  if (unknown.length === 0) return null;
  const uses = unknown.map((f) => `{${f}}`);
  const list = uses.length === 1 ? uses[0] : `${uses.slice(0, -1).join(', ')} and ${uses[uses.length - 1]}`;
  const which = unknown.length === 1 ? `which is not a ${noun}` : `which are not ${noun}s`;
  return `the template uses ${list}, ${which}; the ${noun}s are ${available.map((f) => `{${f}}`).join(', ') || 'none'}`;
}
