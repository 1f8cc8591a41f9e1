// Every run this browser has seen, saved in IndexedDB as it goes: resume, compare on the
// charts, export as a file, share its configuration as a link, delete; import a run file.
// Imports and saved runs are validated (store/runFile.ts); a saved run that no longer validates
// is listed as damaged with its reason and a Delete, and a run that fails to render shows its
// error and a Delete: never a blank page.
import { memo, useCallback, useEffect, useState } from 'react';
import { downloadWeights, exportRun, importRun, removeRun, runShareUrl, toggleCompare } from '../../store/runs/actions';
import { resumeBlocker, resumeRun } from '../../store/training/actions';
import { describeSource } from '../../store/runTypes';
import { useStudio } from '../../store/state';
import type { RunView } from '../../store/runs/slice';
import { deleteRun, loadDamagedRuns, type DamagedRun } from '../../store/persistence';
import { Panel } from '../Fields';
import { PanelBoundary } from '../PanelBoundary';
import { num, percent } from '../format';

export function RunsPanel() {
  const runs = useStudio((s) => s.runs);
  const order = useStudio((s) => s.runOrder);
  const compare = useStudio((s) => s.compare);
  const active = useStudio((s) => s.activeRunId);
  const loaded = useStudio((s) => s.runsLoaded);
  const error = useStudio((s) => s.runsError);
  // Resume availability depends on the model and on the active run's state.
  const context = useStudio((s) => `${s.modelStatus}:${s.sourceKind}:${s.hubRepo}:${s.activeRunId ? s.runs[s.activeRunId]?.meta.state : ''}`);
  const [copied, setCopied] = useState<string | null>(null);
  const share = useCallback(async (id: string) => {
    const url = runShareUrl(id);
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setCopied(id);
    } catch {
      window.prompt('Copy this link:', url);
    }
  }, []);
  const list = [...order].reverse().map((id) => runs[id]).filter(Boolean);
  const [damaged, setDamaged] = useState<DamagedRun[]>([]);
  const refreshDamaged = useCallback(() => void loadDamagedRuns().then(setDamaged, () => setDamaged([])), []);
  useEffect(refreshDamaged, [refreshDamaged, loaded]);
  return (
    <Panel
      title="Runs"
      actions={
        <label className="button small">
          Import run file
          <input
            type="file"
            accept=".json,application/json"
            className="visually-hidden"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void importRun(file);
              e.target.value = '';
            }}
          />
        </label>
      }
    >
      {error && <p className="field-error">Saving runs failed: {error.message}</p>}
      {!loaded && <p className="hint">Reading saved runs…</p>}
      {loaded && list.length === 0 && <p className="hint">No runs yet. Each run is saved in this browser as it trains.</p>}
      <ul className="runs" aria-label="Saved runs">
        {list.map((run) => (
          <PanelBoundary
            key={run.meta.id}
            asItem
            label={`Run “${String(run.meta.name)}”`}
            actions={
              <button type="button" className="small danger" onClick={() => void removeRun(run.meta.id)}>
                Delete
              </button>
            }
          >
            <RunItem run={run} active={run.meta.id === active} compared={compare.includes(run.meta.id)} copied={copied === run.meta.id} context={context} onShare={(id) => void share(id)} />
          </PanelBoundary>
        ))}
      </ul>
      {damaged.length > 0 && (
        <ul className="runs" aria-label="Damaged runs">
          {damaged.map((d) => (
            <li key={d.key} data-testid="damaged-run">
              <div className="run-line">
                <strong>{d.name}</strong>
                <span className="state state-failed">damaged</span>
              </div>
              <p className="field-error">This saved run can no longer be read: {d.reason}</p>
              <div className="button-row">
                <button type="button" className="small danger" onClick={() => void deleteRun(d.key).then(refreshDamaged)}>
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

// Created once at load: the first DateTimeFormat of a page loads locale data, which is slow.
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

interface RunItemProps {
  run: RunView;
  active: boolean;
  compared: boolean;
  copied: boolean;
  /** What resume availability depends on besides the run (model, active run state). */
  context: string;
  onShare: (id: string) => void;
}

/** One run; re-renders only when its own view (or its flags) change. */
const RunItem = memo(
  function RunItem({ run, active, compared, copied, onShare }: RunItemProps) {
  const n = run.steps.step.length;
  const blocker = resumeBlocker(run.meta.id);
  const acc = run.evals.accuracy.at(-1);
  return (
    <li className={active ? 'active' : ''} data-testid="run-item" aria-label={run.meta.name}>
      <div className="run-line">
        <strong>{run.meta.name}</strong>
        <span className={`state state-${run.meta.state}`}>{run.meta.state}</span>
      </div>
      <div className="hint">
        {describeSource(run.meta.model.source)} ({run.meta.model.precision}) · {run.meta.task.name} · step {n ? run.steps.step[n - 1] : 0}/{run.meta.config.steps} · loss{' '}
        {num(run.steps.smoothed.at(-1))} · dev acc {percent(acc)} · saved at step {run.recordStep} · {dateFormat.format(run.meta.createdAt)}
      </div>
      <div className="button-row">
        <button type="button" className="small" disabled={blocker !== null} title={blocker ?? undefined} onClick={() => void resumeRun(run.meta.id)}>
          Resume
        </button>
        <label className="check">
          <input type="checkbox" checked={compared || active} disabled={active} onChange={() => toggleCompare(run.meta.id)} />
          Show on charts
        </label>
        <button type="button" className="small" onClick={() => void exportRun(run.meta.id)}>
          Export
        </button>
        <button
          type="button"
          className="small"
          disabled={!active || run.meta.state === 'running'}
          title={active ? 'PEFT adapter (LoRA), sparse deltas, or model.safetensors (full)' : 'Resume this run first: its weights are rebuilt from its record'}
          onClick={() => void downloadWeights(run.meta.id)}
        >
          Download weights
        </button>
        <button type="button" className="small" onClick={() => onShare(run.meta.id)}>
          {copied ? 'Link copied' : 'Share config link'}
        </button>
        <button type="button" className="small danger" disabled={run.meta.state === 'running'} onClick={() => confirm(`Delete run “${run.meta.name}”?`) && void removeRun(run.meta.id)}>
          Delete
        </button>
      </div>
    </li>
  );
  },
  (a, b) => a.run === b.run && a.active === b.active && a.compared === b.compared && a.copied === b.copied && a.context === b.context,
);
