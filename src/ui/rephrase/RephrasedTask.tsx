// The rephrased task: use it for training, A/B it against the original (identical seed and
// settings, both curves overlaid on the charts), export it as task.json + JSONL, import one.
import { useShallow } from 'zustand/react/shallow';
import { useRephrase } from '../../store/rephrase/slice';
import { currentJob } from '../../store/rephrase/actions';
import { downloadText, exportFiles, importRephrasedFiles, runAb, applyRephrasedTask } from '../../store/rephrase/task';
import { useStudio } from '../../store/state';
import { percent } from '../format';

function AbResult() {
  const ab = useRephrase((s) => s.ab);
  // Only the A/B's own runs: this component does not redraw on other runs' steps.
  const runs = useStudio(useShallow((s) => Object.fromEntries(ab.runIds.map((id) => [id, s.runs[id]]))));
  if (ab.state === 'idle') return null;
  return (
    <div role="status" aria-label="A/B status">
      {ab.state === 'running' && <p>A/B: training on the {ab.arm} task… (both runs use the training panel’s settings and seed)</p>}
      {ab.runIds.length > 0 && (
        <ul>
          {ab.runIds.map((id, i) => {
            const run = runs[id];
            const acc = run?.evals.accuracy;
            return (
              <li key={id} data-testid="ab-run">
                {i === 0 ? 'original' : 'rephrased'}: {run?.meta.name ?? id} · {run?.meta.state} · dev acc {percent(acc?.length ? acc[acc.length - 1] : null)}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

export function RephrasedTask() {
  const s = useRephrase(useShallow((st) => ({ status: st.jobStatus, jobId: st.jobId, accepted: st.progress?.accepted ?? 0, ab: st.ab.state, message: st.message })));
  const training = useStudio((st) => (st.activeRunId ? st.runs[st.activeRunId]?.meta.state === 'running' : false));
  const busy = s.status === 'running' || s.status === 'cancelling';
  const ready = !!s.jobId && !busy;
  const job = ready ? currentJob() : null;
  const files = job ? ['task.json', ...Object.keys(job.task.splits).map((k) => `${k}.jsonl`), 'review.jsonl'] : [];
  return (
    <div className="subpanel">
      <div className="button-row">
        <button type="button" className="primary" disabled={!ready || s.accepted === 0 || training} onClick={() => void applyRephrasedTask()}>
          Use rephrased task
        </button>
        <button type="button" disabled={!ready || s.accepted === 0 || training || s.ab === 'running'} onClick={() => void runAb()}>
          A/B: train original vs rephrased
        </button>
      </div>
      {s.message && (
        <p className={`notice ${s.message.tone}`} role={s.message.tone === 'error' ? 'alert' : 'status'} aria-label="Rephrase message">
          {s.message.text}
        </p>
      )}
      <AbResult />
      <div className="button-row" role="group" aria-label="Export rephrased task">
        <span className="hint">Export:</span>
        {files.map((name) => (
          <button
            key={name}
            type="button"
            className="small"
            onClick={() => {
              const text = exportFiles()?.[name];
              if (text !== undefined) downloadText(name, text);
            }}
          >
            Download {name}
          </button>
        ))}
        {files.length === 0 && <span className="hint">after a job</span>}
        <label className="button small">
          Import rephrased task files
          <input
            type="file"
            multiple
            accept=".json,.jsonl,application/json"
            className="visually-hidden"
            onChange={(e) => {
              const list = e.target.files ? [...e.target.files] : [];
              if (list.length) void importRephrasedFiles(list);
              e.target.value = '';
            }}
          />
        </label>
      </div>
    </div>
  );
}
