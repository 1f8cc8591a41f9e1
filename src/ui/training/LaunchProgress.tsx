// What a click on Start / Train the demo / Resume / Step once is waiting for, from the moment of
// the click to the run's first step: loading the model, compiling the GPU kernels, the first step.
// Each phase is what the app or the engine is actually doing (store: launch), not a timer.
import { useEffect, useState } from 'react';
import type { LaunchPhase } from '../../store/training/slice';
import { useStudio } from '../../store/state';

const PHASES: { phase: LaunchPhase; label: string }[] = [
  { phase: 'model', label: 'loading model' },
  { phase: 'task', label: 'preparing task' },
  { phase: 'kernels', label: 'compiling kernels' },
  { phase: 'first-step', label: 'first step' },
];

export function LaunchProgress({ className = '', testId }: { className?: string; testId?: string }) {
  const launch = useStudio((s) => s.launch);
  const progress = useStudio((s) => s.progress);
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!launch) return;
    const timer = setInterval(() => setNow(performance.now()), 500);
    return () => clearInterval(timer);
  }, [launch]);
  if (!launch) return null;
  const at = PHASES.findIndex((p) => p.phase === launch.phase);
  const loaded = launch.phase === 'model' && progress && progress.totalBytes > 0 ? ` ${Math.round((100 * progress.loadedBytes) / progress.totalBytes)}%` : '';
  return (
    <p className={`launch ${className}`} role="status" aria-label="Starting the run" data-testid={testId}>
      {PHASES.map((p, i) => (
        <span key={p.phase} className={i < at ? 'done' : i === at ? 'current' : 'next'}>
          {i > 0 && <span className="launch-sep"> … </span>}
          {p.label}
          {i === at ? `${loaded}…` : ''}
        </span>
      ))}
      <span className="launch-time"> {Math.max(0, Math.round((now - launch.since) / 1000))} s</span>
    </p>
  );
}
