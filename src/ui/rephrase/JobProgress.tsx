// The job's progress: rows done of total, the gate's counts and acceptance rate, requests,
// retries and tokens, all counted by the job (nothing estimated).
import { useShallow } from 'zustand/react/shallow';
import { useRephrase } from '../../store/rephrase/slice';
import { count, percent } from '../format';

function Stat({ name, value, id }: { name: string; value: string; id: string }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd data-testid={`rephrase-${id}`}>{value}</dd>
    </div>
  );
}

export function JobProgress() {
  const s = useRephrase(useShallow((st) => ({ progress: st.progress, status: st.jobStatus, retries: st.retries, lastRetry: st.lastRetry, error: st.jobError, task: st.jobTask })));
  const p = s.progress;
  if (!p) return null;
  const done = p.accepted + p.rejected + p.failed;
  return (
    <div role="status" aria-label="Rephrase progress">
      <p>
        <span className={`state state-${s.status === 'done' ? 'finished' : s.status === 'error' ? 'failed' : s.status === 'cancelled' ? 'paused' : s.status}`} data-testid="rephrase-status">
          {s.status}
        </span>{' '}
        <span data-testid="rephrase-done">
          {done} / {p.total} rows
        </span>{' '}
        <span className="hint">of {s.task}</span>
      </p>
      <progress aria-label="Rows rephrased" max={Math.max(1, p.total)} value={done} />
      <dl className="stats">
        <Stat id="accepted" name="accepted" value={String(p.accepted)} />
        <Stat id="rejected" name="rejected" value={String(p.rejected)} />
        <Stat id="failed" name="failed" value={String(p.failed)} />
        <Stat id="pending" name="pending" value={`${p.pending}${p.inFlight ? ` (${p.inFlight} in flight)` : ''}`} />
        <Stat id="rate" name="judge acceptance" value={percent(p.acceptanceRate)} />
        <Stat id="requests" name="requests" value={String(p.requests)} />
        <Stat id="retries" name="retries (this session)" value={String(s.retries)} />
        <Stat id="tokens" name="tokens (prompt + completion)" value={`${count(p.usage.total.totalTokens)} (${count(p.usage.total.promptTokens)} + ${count(p.usage.total.completionTokens)})`} />
      </dl>
      {s.lastRetry && <p className="hint">Last retry: {s.lastRetry}</p>}
      {s.error && (
        <div className="error-box" role="alert">
          <p>The job stopped: {s.error}</p>
          <p>Finished rows are saved; fix the endpoint and resume.</p>
        </div>
      )}
    </div>
  );
}
