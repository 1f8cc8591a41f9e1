// Start, pause, resume, stop and evaluate now; progress, steps per second and time left, all
// measured (nothing is shown before the engine has reported it).
import { evaluateNow, pauseRun, resumeBlocker, resumeRun, startRun, stopRun } from '../../store/actions/training';
import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../../store/state';
import { ErrorBox } from '../Fields';
import { duration, num, percent } from '../format';

export function RunControls() {
  const s = useStudio(
    useShallow((st) => ({
      run: st.activeRunId ? st.runs[st.activeRunId] : undefined,
      engineStatus: st.engineStatus,
      deviceLost: st.deviceLost,
      config: st.config,
      stepsPerSecond: st.stepsPerSecond,
      runProgress: st.runProgress,
      modelStatus: st.modelStatus,
      evaluating: st.evaluating,
      trainError: st.trainError,
    })),
  );
  const run = s.run;
  const state = run?.meta.state;
  const running = state === 'running';
  const ready = s.engineStatus === 'ready' && !s.deviceLost;
  const step = run?.steps.step.length ? run.steps.step[run.steps.step.length - 1] : 0;
  const total = run?.meta.config.steps ?? s.config.steps;
  const left = s.stepsPerSecond && running ? (total - step) / s.stepsPerSecond : null;
  const lastLoss = run?.steps.smoothed.length ? run.steps.smoothed[run.steps.smoothed.length - 1] : null;
  const lastAcc = run?.evals.accuracy.length ? run.evals.accuracy[run.evals.accuracy.length - 1] : null;
  const canResume = run && (state === 'paused' || state === 'stopped' || state === 'failed') ? resumeBlocker(run.meta.id) : 'n/a';
  return (
    <div className="run-controls">
      <div className="button-row">
        <button type="button" className="primary big" disabled={!ready || running || s.modelStatus === 'loading'} onClick={() => void startRun()}>
          Start training
        </button>
        <button type="button" disabled={!running} onClick={() => void pauseRun()}>
          Pause
        </button>
        <button type="button" disabled={!run || canResume !== null} title={canResume && canResume !== 'n/a' ? canResume : undefined} onClick={() => run && void resumeRun(run.meta.id)}>
          Resume
        </button>
        <button type="button" disabled={!running} onClick={() => void stopRun()}>
          Stop
        </button>
        <button type="button" disabled={!ready || running || s.evaluating || s.modelStatus !== 'ready'} onClick={() => void evaluateNow()}>
          {s.evaluating ? 'Evaluating…' : 'Evaluate now'}
        </button>
      </div>
      {run && (
        <div className="run-status" role="status" aria-label="Run status">
          <span className={`state state-${state}`}>{state}</span>
          <span data-testid="step-counter">
            step {step} / {total}
          </span>
          <span>{s.stepsPerSecond ? `${num(s.stepsPerSecond, 3)} steps/s` : '— steps/s'}</span>
          <span>{running ? `${duration(left)} left` : ''}</span>
          <span>loss {num(lastLoss)}</span>
          <span data-testid="dev-accuracy">dev acc {percent(lastAcc)}</span>
        </div>
      )}
      {run && state === 'running' && s.runProgress?.runId === run.meta.id && (
        <p className="hint" data-testid="run-progress">
          {s.runProgress.phase}: {s.runProgress.done.toLocaleString('en-US')} / {s.runProgress.total.toLocaleString('en-US')} pairs
        </p>
      )}
      {run && state === 'running' && <progress aria-label="Training progress" max={total} value={step} />}
      <ErrorBox error={s.trainError}>
        {s.trainError?.kind === 'gpu-out-of-memory' && <p>Out of GPU memory: try q4 weights, a smaller batch, LoRA or sparse mode, or a shorter max sequence length. Your run is saved.</p>}
      </ErrorBox>
      {run?.meta.error && state === 'failed' && !s.trainError && <p className="field-error">{run.meta.error}</p>}
      {run?.meta.warning && (
        <p className="field-error" role="alert" data-testid="run-warning">
          {run.meta.warning}
        </p>
      )}
    </div>
  );
}
