// The task's rows, a page at a time: the row's text and its answer, per split. A row focused from
// elsewhere (the influence view's "show in the task table") opens the table on its page, scrolls
// to it and highlights it, so a student sees the training row behind a score among its neighbours.
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { focusTaskRow } from '../../store/task/actions';
import { useStudio } from '../../store/state';
import { SelectField } from '../Fields';
import { rowAnswer, rowText } from './rowText';

const PAGE = 20;

export function TaskRows() {
  const { parsed, rowFocus } = useStudio(useShallow((s) => ({ parsed: s.parsed, rowFocus: s.rowFocus })));
  const splits = parsed ? Object.keys(parsed.splits) : [];
  const [split, setSplit] = useState('train');
  const [page, setPage] = useState(0);
  const [open, setOpen] = useState(false);
  const focused = useRef<HTMLTableRowElement | null>(null);
  useEffect(() => {
    if (!rowFocus) return;
    setSplit(rowFocus.split);
    setPage(Math.floor(rowFocus.index / PAGE));
    setOpen(true);
  }, [rowFocus]);
  useEffect(() => {
    if (rowFocus && open) focused.current?.scrollIntoView({ block: 'center' });
  }, [rowFocus, open, page, split]);
  if (!parsed || splits.length === 0) return null;
  const shownSplit = parsed.splits[split] ? split : splits[0];
  const rows = parsed.splits[shownSplit];
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const at = Math.min(page, pages - 1);
  const from = at * PAGE;
  return (
    <details className="task-rows" open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Rows of the task</summary>
      <div className="task-rows-bar">
        <SelectField label="Split" value={shownSplit} options={splits.map((s) => ({ value: s, label: `${s} (${parsed.splits[s].length})` }))} onChange={(v) => { setSplit(v); setPage(0); }} />
        <div className="button-row">
          <button type="button" className="small" disabled={at === 0} onClick={() => setPage(at - 1)}>Previous</button>
          <span className="hint">rows {from}–{Math.min(rows.length, from + PAGE) - 1} of {rows.length}</span>
          <button type="button" className="small" disabled={at >= pages - 1} onClick={() => setPage(at + 1)}>Next</button>
        </div>
      </div>
      <div className="task-rows-wrap">
        <table className="task-table" aria-label="Task rows">
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Text</th>
              <th scope="col">Answer</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(from, from + PAGE).map((row, i) => {
              const index = from + i;
              const isFocused = rowFocus?.split === shownSplit && rowFocus.index === index;
              return (
                <tr key={index} ref={isFocused ? focused : undefined} className={isFocused ? 'focused' : undefined} aria-current={isFocused ? 'true' : undefined} data-testid="task-row" data-row={index}>
                  <td>{index}</td>
                  <td>{rowText(parsed.spec, row)}</td>
                  <td>{rowAnswer(parsed.spec, row)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {rowFocus && (
        <button type="button" className="small" onClick={() => focusTaskRow(null)}>
          Clear the highlight
        </button>
      )}
    </details>
  );
}
