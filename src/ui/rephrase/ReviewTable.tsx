// Review: each row's original and rewrite side by side with the changed words marked, the
// judge's verdict and reason, and the reviewer's accept / reject, which wins over the judge.
import { memo, useMemo, useState } from 'react';
import { decision, sideBySide, wordDiff, type RowRecord } from '../../rephrase';
import { useRephrase } from '../../store/rephrase/slice';
import { setRowOverride } from '../../store/rephrase/actions';
import { SelectField } from '../Fields';
import { DiffText } from './DiffText';

type Filter = 'all' | 'accept' | 'reject' | 'failed' | 'pending';
const PAGE = 25;

function Cells({ row }: { row: RowRecord }) {
  const fields = Object.keys(row.original);
  const diffs = useMemo(() => fields.map((f) => (row.rewrite ? sideBySide(wordDiff(row.original[f] ?? '', row.rewrite[f] ?? '')) : null)), [row.original, row.rewrite]);
  const tag = (f: string) => (fields.length > 1 ? <strong>{f}: </strong> : null);
  return (
    <>
      <td className="text">
        {fields.map((f, i) => (
          <div key={f}>
            {tag(f)}
            {diffs[i] ? <DiffText parts={diffs[i]!.left} /> : row.original[f]}
          </div>
        ))}
      </td>
      <td className="text">
        {row.rewrite ? (
          fields.map((f, i) => (
            <div key={f}>
              {tag(f)}
              <DiffText parts={diffs[i]!.right} />
            </div>
          ))
        ) : (
          <span className="muted">{row.status === 'failed' ? 'no rewrite' : 'waiting…'}</span>
        )}
      </td>
    </>
  );
}

const ReviewRow = memo(function ReviewRow({ row }: { row: RowRecord }) {
  const d = decision(row);
  const label = `row ${row.key}`;
  return (
    <tr data-testid="review-row" data-key={row.key} data-decision={d}>
      <td>
        {row.key}
        <br />
        <span className="muted">{row.label}</span>
      </td>
      <Cells row={row} />
      <td>
        {row.verdict && <span className={`verdict ${row.verdict}`}>judge: {row.verdict}</span>}
        {row.reason && <div>{row.reason}</div>}
        {row.error && <div className="field-error">{row.error}</div>}
        {row.override && <div className="muted">your decision: {row.override}</div>}
      </td>
      <td>
        <span className={`verdict ${d}`}>{d}</span>
        {row.rewrite && (
          <div className="decide" role="group" aria-label={`Decision for ${label}`}>
            <button type="button" className="small" aria-pressed={row.override === 'accept'} aria-label={`Accept ${label}`} onClick={() => void setRowOverride(row.key, row.override === 'accept' ? null : 'accept')}>
              Accept
            </button>
            <button type="button" className="small" aria-pressed={row.override === 'reject'} aria-label={`Reject ${label}`} onClick={() => void setRowOverride(row.key, row.override === 'reject' ? null : 'reject')}>
              Reject
            </button>
          </div>
        )}
      </td>
    </tr>
  );
});

export function ReviewTable() {
  const rows = useRephrase((s) => s.rows);
  const [filter, setFilter] = useState<Filter>('all');
  const [shown, setShown] = useState(PAGE);
  const visible = useMemo(() => (filter === 'all' ? rows : rows.filter((r) => decision(r) === filter)), [rows, filter]);
  if (rows.length === 0) return null;
  return (
    <div className="subpanel">
      <div className="grid3">
        <SelectField<Filter>
          label="Show rows"
          value={filter}
          options={[
            { value: 'all', label: `All (${rows.length})` },
            { value: 'accept', label: 'Accepted' },
            { value: 'reject', label: 'Rejected' },
            { value: 'failed', label: 'Failed' },
            { value: 'pending', label: 'Pending' },
          ]}
          onChange={(v) => {
            setFilter(v);
            setShown(PAGE);
          }}
        />
      </div>
      <div className="review-wrap">
        <table className="review" aria-label="Rephrase review">
          <thead>
            <tr>
              <th scope="col">Row / label</th>
              <th scope="col">Original</th>
              <th scope="col">Rewrite</th>
              <th scope="col">Judge</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {visible.slice(0, shown).map((r) => (
              <ReviewRow key={r.key} row={r} />
            ))}
          </tbody>
        </table>
      </div>
      {visible.length > shown && (
        <button type="button" className="small" onClick={() => setShown(shown + PAGE)}>
          Show {Math.min(PAGE, visible.length - shown)} more of {visible.length - shown}
        </button>
      )}
    </div>
  );
}
