// The computation in flight: what it does, a bar with done of total and the engine's time left,
// the cost it announced before starting, and Cancel (the weights stay as they were).
import { cancelInfluence } from '../../store/influence/actions';
import { useInfluence } from '../../store/influence/slice';
import { bytes, count, duration } from '../format';

const PHASES = { vectors: 'Computing the training rows’ vectors', query: 'Scoring the query', trajectory: 'Replaying the run with the query' } as const;

export function InfluenceProgress() {
  const p = useInfluence((s) => s.progress);
  if (!p) return null;
  const fraction = p.total > 0 ? p.done / p.total : 0;
  return (
    <div className="progress influence-progress" role="status" aria-label="Influence progress" data-testid="influence-progress">
      <div className="progress-label">
        <span>{p.cancelling ? 'Cancelling…' : PHASES[p.phase]}</span>
        <span>{p.total > 0 ? `${Math.round(fraction * 100)}%` : 'starting…'}</span>
      </div>
      <progress aria-label={PHASES[p.phase]} max={1} value={fraction} />
      <div className="influence-progress-row">
        <small className="hint" data-testid="influence-time-left">
          {p.total > 0 ? `${p.done} of ${p.total} · ${duration(p.secondsLeft)} left` : 'preparing…'}
        </small>
        <button type="button" className="small danger" disabled={p.cancelling} onClick={cancelInfluence}>
          Cancel
        </button>
      </div>
      {p.cost && (
        <small className="hint" data-testid="influence-cost">
          {p.cost.rows} rows × K = {p.cost.k}: {count(p.cost.perturbationPasses)} perturbation passes + {count(p.cost.forwards)} batched forwards (batch {p.cost.batch}) over{' '}
          {count(p.cost.parameters)} parameters · cache {bytes(p.cost.cacheBytes)} · GPU scratch {bytes(p.cost.scratchBytes)}
        </small>
      )}
    </div>
  );
}
