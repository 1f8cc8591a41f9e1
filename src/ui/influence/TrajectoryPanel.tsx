// Trajectory attribution of a finished run: the engine replays the run with the query evaluated
// at every step, so each training row gets its share of the change of the query's loss (first
// order, exact per step). Shows predicted vs actual change (totals, per step, their correlation)
// and the rows that lowered and raised the query's loss most.
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { attributeRun, selectTrajectoryRun, trajectoryRefusal } from '../../store/influence/actions';
import { useInfluence } from '../../store/influence/slice';
import { hasRecord } from '../../store/runs/records';
import { useStudio } from '../../store/state';
import { SeriesChart } from '../charts/SeriesChart';
import { SelectField } from '../Fields';
import { num } from '../format';
import { ScoredRows, scaleOf } from './ScoredRows';

export function TrajectoryPanel({ disabled, big }: { disabled: boolean; big?: boolean }) {
  const runs = useStudio(useShallow((s) => s.runOrder.map((id) => s.runs[id]).filter((r) => r && r.meta.state !== 'running' && r.meta.state !== 'created')));
  const { trajectoryRunId, trajectory, progress } = useInfluence(useShallow((s) => ({ trajectoryRunId: s.trajectoryRunId, trajectory: s.trajectory, progress: s.progress })));
  const series = useMemo(() => {
    if (!trajectory) return [];
    const pts = (ys: number[]) => ys.map((y, i) => ({ x: i + 1, y }));
    return [
      { name: 'predicted (first order)', color: 'var(--accent)', points: pts(trajectory.predicted) },
      { name: 'actual', color: 'var(--warn)', points: pts(trajectory.actual), dash: '6 4' },
    ];
  }, [trajectory]);
  if (runs.length === 0) return <p className="hint">Finish (or pause) a ZO-SGD run to see which training rows moved the query’s loss during it.</p>;
  const chosen = runs.find((r) => r.meta.id === trajectoryRunId);
  // A row the run never sampled contributed exactly 0: listed on neither side.
  const lowered = trajectory?.proponents.filter((r) => r.score < 0) ?? [];
  const raised = trajectory?.opponents.filter((r) => r.score > 0) ?? [];
  const scale = scaleOf(lowered, raised);
  return (
    <div className="influence-trajectory" data-testid="influence-trajectory">
      <div className="influence-actions">
        <SelectField
          label="Run to attribute"
          value={trajectoryRunId ?? ''}
          disabled={disabled}
          options={[
            { value: '', label: 'Pick a run' },
            ...runs.map((r) => {
              const refusal = trajectoryRefusal(r.meta.config);
              return { value: r.meta.id, label: `${r.meta.name || r.meta.id} (${r.meta.state}${refusal ? `: ${refusal}` : ''})`, disabled: refusal !== null };
            }),
          ]}
          onChange={(v) => void selectTrajectoryRun(v || null)}
        />
        <button type="button" disabled={disabled || !chosen || progress !== null || !hasRecord(chosen.meta.id) || trajectoryRefusal(chosen.meta.config) !== null} onClick={() => void attributeRun()}>
          Attribute this run
        </button>
      </div>
      <p className="hint">The engine replays the run from the model’s own weights with the query evaluated at every step (about as long as the run took); a run the engine holds is then resumed by replaying its record.</p>
      {trajectory && trajectory.runId === trajectoryRunId && (
        <>
          <p className="influence-summary" data-testid="trajectory-summary">
            Over {trajectory.steps} steps the query’s loss went {num(trajectory.lossBefore)} → {num(trajectory.lossAfter)}: actual change {num(trajectory.actualTotal)}, predicted {num(trajectory.predictedTotal)}
            {trajectory.actualTotal !== 0 ? ` (ratio ${num(trajectory.predictedTotal / trajectory.actualTotal, 3)})` : ''}; per-step correlation {num(trajectory.correlation, 3)}.
          </p>
          <SeriesChart title="Change of the query’s loss per step" series={series} height={big ? 320 : 200} xLabel="step" big={big} testId="trajectory-chart" />
          <div className="influence-lists">
            <ScoredRows title="Rows that lowered the query’s loss" rows={lowered} scale={scale} tone="pro" testId="trajectory-proponents" label={(v) => `contribution ${num(v, 3)}`} />
            <ScoredRows title="Rows that raised it" rows={raised} scale={scale} tone="con" testId="trajectory-opponents" label={(v) => `contribution ${num(v, 3)}`} />
          </div>
        </>
      )}
    </div>
  );
}
