// Training rows with their scores as a bar chart: one bar per row, its length the score's size
// against the largest listed, proponents to the right in green and opponents to the left in red.
// Each row is a button that shows the row in the task's row table (highlighted).
import type { InfluenceScore } from '../../engine/api';
import { showTrainRow } from '../../store/influence/actions';
import { useStudio } from '../../store/state';
import { num } from '../format';
import { rowAnswer, rowText } from '../task/rowText';

interface Props {
  title: string;
  rows: InfluenceScore[];
  /** The largest |score| among everything shown, so both lists share one scale. */
  scale: number;
  tone: 'pro' | 'con';
  testId: string;
  /** How a score reads ("cosine 0.41", "Δloss −0.002"). */
  label: (score: number) => string;
}

export function ScoredRows({ title, rows, scale, tone, testId, label }: Props) {
  const parsed = useStudio((s) => s.parsed);
  const focus = useStudio((s) => s.rowFocus);
  const train = parsed?.splits.train ?? [];
  return (
    <section className={`influence-list ${tone}`} aria-label={title} data-testid={testId}>
      <h3>{title}</h3>
      {rows.length === 0 && <p className="hint">No rows.</p>}
      <ol>
        {rows.map((r) => {
          // sourceRow: the row's index in the train split as the task table shows it (the engine's
          // own index skips rows too long for the model).
          const row = train[r.sourceRow];
          const width = scale > 0 && r.score !== 0 ? Math.max(2, (100 * Math.abs(r.score)) / scale) : 0;
          const current = focus?.split === 'train' && focus.index === r.sourceRow;
          return (
            <li key={r.sourceRow}>
              <button
                type="button"
                className={current ? 'influence-row current' : 'influence-row'}
                data-testid="influence-row"
                data-row={r.sourceRow}
                aria-label={`Train row ${r.sourceRow}, ${label(r.score)}: show it in the task table`}
                onClick={() => showTrainRow(r.sourceRow)}
              >
                <span className="influence-row-id">#{r.sourceRow}</span>
                <span className="influence-row-text">{row && parsed ? rowText(parsed.spec, row) : 'row not in the task shown'}</span>
                <strong className="influence-row-answer">{row && parsed ? `→ ${rowAnswer(parsed.spec, row)}` : ''}</strong>
                <span className="influence-bar" aria-hidden="true">
                  <span style={{ width: `${width}%` }} />
                </span>
                <span className="influence-score">{num(r.score, 3)}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

/** The largest |score| of the lists (1 when all are empty). */
export function scaleOf(...lists: InfluenceScore[][]): number {
  let m = 0;
  for (const list of lists) for (const r of list) m = Math.max(m, Math.abs(r.score));
  return m || 1;
}
