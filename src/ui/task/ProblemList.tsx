// Per-row validation problems, as the data layer and the engine word them.
import type { TaskProblem } from '../../engine/data';

export function ProblemList({ problems }: { problems: TaskProblem[] }) {
  if (problems.length === 0) return null;
  const shown = problems.slice(0, 50);
  return (
    <details className="problems" open={problems.length <= 5}>
      <summary>
        {problems.length} problem{problems.length === 1 ? '' : 's'} in the rows (bad rows are left out)
      </summary>
      <ul>
        {shown.map((p, i) => (
          <li key={i}>
            <strong>{p.split}</strong> {p.row > 0 ? `line ${p.row}` : ''}: {p.message.replace(/^row \d+: /, '')}
          </li>
        ))}
      </ul>
      {problems.length > shown.length && <p className="hint">…and {problems.length - shown.length} more.</p>}
    </details>
  );
}
