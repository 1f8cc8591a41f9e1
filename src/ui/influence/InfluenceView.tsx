// "Which training rows did this?": pick a dev row (or type a prompt and an answer), compute every
// training row's vector of directional derivatives at the current weights (progress, time left,
// Cancel), and see the rows whose gradients point with the query's (proponents) and against it
// (opponents), scored by cosine similarity, as a bar chart; a click shows a row in the task table.
// The vectors are cached in this browser, so a reload ranks without recomputing. For a finished
// run, the trajectory attribution below says which rows moved the query's loss during training.
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { computeVectors, influenceBlocker, queryBlocker, rankQuery, refreshInfluence } from '../../store/influence/actions';
import { useInfluence } from '../../store/influence/slice';
import { useStudio } from '../../store/state';
import { ErrorBox, Panel } from '../Fields';
import { bytes, duration, num } from '../format';
import { InfluenceProgress } from './InfluenceProgress';
import { QueryPicker } from './QueryPicker';
import { ScoredRows, scaleOf } from './ScoredRows';
import { TrajectoryPanel } from './TrajectoryPanel';
import './influence.css';

export function InfluenceView({ big = false }: { big?: boolean }) {
  const studio = useStudio(
    useShallow((s) => ({
      engineStatus: s.engineStatus, deviceLost: s.deviceLost, modelStatus: s.modelStatus, taskApplied: s.taskApplied, taskSummary: s.taskSummary,
      parsed: s.parsed, activeRunId: s.activeRunId, runs: s.runs, evaluating: s.evaluating, heldRunId: s.heldRunId, config: s.config, summary: s.summary,
    })),
  );
  const q = useInfluence();
  const blocker = influenceBlocker(studio);
  const queryProblem = queryBlocker(studio, q);
  const busy = q.progress !== null;
  // The weights change when a run steps: the held run's last step is part of what the vectors are of.
  const held = studio.heldRunId ? studio.runs[studio.heldRunId] : undefined;
  const heldStep = held ? held.steps.step[held.steps.step.length - 1] ?? 0 : -1;
  useEffect(() => {
    if (blocker === null) void refreshInfluence();
  }, [blocker, studio.summary, studio.taskSummary, studio.heldRunId, heldStep, studio.config, q.k]);
  const v = q.vectors;
  const r = q.ranking;
  const scale = r ? scaleOf(r.proponents, r.opponents) : 1;
  return (
    <Panel title="Influence: which training rows did this?">
      <div className={big ? 'influence big' : 'influence'} data-testid="influence-view">
        <QueryPicker disabled={busy} />
        {blocker && <p className="hint influence-blocker" data-testid="influence-blocker">{blocker}</p>}
        <p className="influence-status" data-testid="influence-vectors" role="status">
          {v
            ? `Vectors of ${v.rows} training rows at K = ${v.k} (${bytes(v.cacheBytes)}), ${v.source === 'cache' ? `read from this browser’s cache (computed in ${duration(v.seconds)})` : `computed in ${duration(v.seconds)} and cached`}.`
            : q.stale
              ? `Stale cache: the vectors saved ${new Date(q.stale.savedAt).toLocaleString()} are of other weights (a run changed them since). Compute them again for these weights.`
              : 'No vectors yet for these weights and this task.'}
        </p>
        <div className="button-row influence-actions">
          <button type="button" className={v ? '' : 'primary'} disabled={blocker !== null || busy} onClick={() => void computeVectors()}>
            {v ? 'Compute the vectors again' : 'Compute vectors'}
          </button>
          <button type="button" className={v ? 'primary' : ''} disabled={blocker !== null || busy || !v || queryProblem !== null} onClick={() => void rankQuery()}>
            Rank training rows
          </button>
        </div>
        {queryProblem && !blocker && <p className="hint" data-testid="influence-query-problem">{queryProblem}</p>}
        <InfluenceProgress />
        {q.notice && <p className="influence-notice" role="status" data-testid="influence-notice">{q.notice}</p>}
        <ErrorBox error={q.error} />
        {r && (
          <div className="influence-ranking" data-testid="influence-ranking">
            <p className="influence-summary">
              {'split' in r.query ? `Dev row ${r.query.row}` : `“${r.query.prompt}” → ${r.query.answer}`}: loss {num(r.queryLoss)} at the {r.weights}. Scores are cosine similarities of the rows’ {v?.k ?? ''}-direction vectors with the query’s.
            </p>
            <div className="influence-lists">
              <ScoredRows title="Proponents (pushed toward this answer)" rows={r.proponents} scale={scale} tone="pro" testId="influence-proponents" label={(x) => `cosine ${num(x, 3)}`} />
              <ScoredRows title="Opponents (pushed away from it)" rows={r.opponents} scale={scale} tone="con" testId="influence-opponents" label={(x) => `cosine ${num(x, 3)}`} />
            </div>
          </div>
        )}
        <details className="influence-trajectory-box" open={q.trajectoryRunId !== null}>
          <summary>Trajectory attribution of a run</summary>
          <TrajectoryPanel disabled={blocker !== null || busy || queryProblem !== null} big={big} />
        </details>
      </div>
    </Panel>
  );
}
