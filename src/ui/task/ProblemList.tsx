// Validation problems, as the data layer and the engine word them, grouped: one entry per
// distinct problem with the lines it occurs on, so 41 rows missing a field read as one line.
import { describeLines, groupProblems, type TaskProblem } from '../../engine/data';

export function ProblemList({ problems }: { problems: TaskProblem[] }) {
  if (problems.length === 0) return null;
  const groups = groupProblems(problems);
  const shown = groups.slice(0, 30);
  const rows = new Set(problems.filter((p) => p.row > 0).map((p) => `${p.split}:${p.row}`)).size;
  return (
    <details className="problems" open={groups.length <= 5} data-testid="task-problems">
      <summary>
        {groups.length} problem{groups.length === 1 ? '' : 's'}
        {rows ? ` on ${rows.toLocaleString('en-US')} line${rows === 1 ? '' : 's'}` : ''} (bad rows are left out)
      </summary>
      <ul>
        {shown.map((g, i) => (
          <li key={i}>
            <strong>{g.split}</strong> {describeLines(g.rows)}: {g.message}
          </li>
        ))}
      </ul>
      {groups.length > shown.length && <p className="hint">…and {groups.length - shown.length} more.</p>}
    </details>
  );
}
