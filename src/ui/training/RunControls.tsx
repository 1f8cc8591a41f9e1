// Start, pause, resume, stop and evaluate now; progress, steps per second and time left, all
// measured (nothing is shown before the engine has reported it).
import { evaluateNow, pauseRun, resumeBlocker, resumeRun, startRun, stopRun } from '../../store/training/actions';
import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../../store/state';
import { ErrorBox } from '../Fields';
import { LaunchProgress } from './LaunchProgress';
import { useRunStatus } from './runStatus';
import { duration, num, percent } from '../format';

export function RunControls() {
  const s = useStudio(
    useShallow((st) => ({
      engineStatus: st.engineStatus,
      deviceLost: st.deviceLost,
      runProgress: st.runProgress,
      modelStatus: st.modelStatus,
      evaluating: st.evaluating,
      trainError: st.trainError,
    })),
  );
  const { run, state, running, step, total, stepsPerSecond, secondsLeft: left, lastLoss, lastAccuracy: lastAcc } = useRunStatus();
  const ready = s.engineStatus === 'ready' && !s.deviceLost;
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
      <LaunchProgress />
      {run && (
        <div className="run-status" role="status" aria-label="Run status">
          <span className={`state state-${state}`}>{state}</span>
          <span data-testid="step-counter">
            step {step} / {total}
          </span>
          <span>{stepsPerSecond ? `${num(stepsPerSecond, 3)} steps/s` : '— steps/s'}</span>
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
