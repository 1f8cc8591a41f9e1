// The active run's progress as the controls show it: step, total, rate, time left, last loss and
// dev accuracy, all measured (nothing before the engine has reported it).
import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../../store/state';
import type { RunView } from '../../store/runs/slice';

export interface RunStatus {
  run: RunView | undefined;
  state: RunView['meta']['state'] | undefined;
  running: boolean;
  step: number;
  total: number;
  stepsPerSecond: number | null;
  /** Seconds left at the measured rate, while running. */
  secondsLeft: number | null;
  lastLoss: number | null;
  lastAccuracy: number | null;
}

export function useRunStatus(): RunStatus {
  const { run, configSteps, stepsPerSecond } = useStudio(
    useShallow((s) => ({ run: s.activeRunId ? s.runs[s.activeRunId] : undefined, configSteps: s.config.steps, stepsPerSecond: s.stepsPerSecond })),
  );
  const state = run?.meta.state;
  const running = state === 'running';
  const step = run?.steps.step.length ? run.steps.step[run.steps.step.length - 1] : 0;
  const total = run?.meta.config.steps ?? configSteps;
  return {
    run,
    state,
    running,
    step,
    total,
    stepsPerSecond,
    secondsLeft: stepsPerSecond && running ? (total - step) / stepsPerSecond : null,
    lastLoss: run?.steps.smoothed.length ? run.steps.smoothed[run.steps.smoothed.length - 1] : null,
    lastAccuracy: run?.evals.accuracy.length ? run.evals.accuracy[run.evals.accuracy.length - 1] : null,
  };
}
