// After a reload mid-run: the run the page was training, its curves already back on the charts
// (from its saved record), and one button to continue it.
import { resumeBlocker, resumeRun } from '../store/training/actions';
import { lastStep } from '../store/series';
import { useStudio } from '../store/state';

export function InterruptedBanner() {
  const interrupted = useStudio((s) => s.interrupted);
  const run = useStudio((s) => (s.interrupted ? s.runs[s.interrupted.runId] : undefined));
  // Re-evaluated when the model or the active run change (what resumeBlocker reads).
  useStudio((s) => `${s.modelStatus}:${s.engineStatus}:${s.activeRunId}`);
  if (!interrupted || !run || run.meta.state !== 'paused') return null;
  const blocker = resumeBlocker(run.meta.id);
  const saved = run.recordStep;
  const shown = lastStep(run.steps);
  return (
    <div className="banner warn interrupted" role="alert" aria-label="Interrupted run" data-testid="interrupted-banner">
      <p>
        <strong>
          “{run.meta.name}” was interrupted at step {shown} of {run.meta.config.steps}.
        </strong>{' '}
        {saved < shown ? `Its record was saved at step ${saved}: resuming replays it and continues from there.` : 'Resume continues from its saved record.'}
        {blocker ? ` ${blocker}` : ''}
      </p>
      <div className="button-row">
        <button type="button" className="primary" disabled={blocker !== null} onClick={() => void resumeRun(run.meta.id)}>
          Resume
        </button>
        <button type="button" className="small" aria-label="Dismiss" onClick={() => useStudio.setState({ interrupted: null })}>
          ×
        </button>
      </div>
    </div>
  );
}
