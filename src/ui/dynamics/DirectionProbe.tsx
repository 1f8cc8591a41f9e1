// On demand: the loss along the current perturbation direction z, or along the last update,
// L(θ + a·d) for a in [−kε, kε], measured by the engine (lossAlongDirection).
import { useState } from 'react';
import type { LossCurve } from '../../engine/api';
import { probeLossCurve } from '../../store/training/actions';
import { useStudio } from '../../store/state';
import { SeriesChart } from '../charts/SeriesChart';

/** Which rows the probe measured, and what its ±ε points mean for the step cards. */
function describeBatch(curve: LossCurve): string {
  const rows = curve.rows.map((i) => i + 1);
  const list = rows.length > 8 ? `${rows.slice(0, 8).join(', ')}… (${rows.length} rows)` : rows.join(', ');
  const step = curve.step + 1;
  if (curve.batch === 'first') {
    return `Measured on the first train rows (${list}), not on step ${step}'s own batch, which this session did not make (the run was resumed since): the curve's values at ±ε differ from that step's L₊ and L₋.`;
  }
  return curve.direction === 'perturbation'
    ? `Measured on step ${step}'s own batch (train rows ${list}), the step the run makes next: at a = ±ε the curve gives the L₊ and L₋ that step will measure.`
    : `Measured on step ${step}'s own batch (train rows ${list}), from the weights after its update: a > 0 is the way the update went.`;
}

export function DirectionProbe() {
  const curve = useStudio((s) => s.curve);
  const status = useStudio((s) => s.curveStatus);
  const error = useStudio((s) => s.curveError);
  const modelReady = useStudio((s) => s.modelStatus === 'ready' && s.engineStatus === 'ready');
  const running = useStudio((s) => (s.activeRunId ? s.runs[s.activeRunId]?.meta.state === 'running' : false));
  const [k, setK] = useState(4);
  const curveEps = useStudio((s) => (s.activeRunId ? s.runs[s.activeRunId]?.meta.config.eps : s.config.eps) ?? s.config.eps);
  const points = curve ? curve.offsets.map((x, i) => ({ x, y: curve.losses[i] })) : [];
  const disabled = !modelReady || running || status === 'loading';
  return (
    <div className="subpanel">
      <div className="button-row">
        <button type="button" disabled={disabled} onClick={() => void probeLossCurve('perturbation', k)}>
          Loss along the next step's direction z
        </button>
        <button type="button" disabled={disabled} onClick={() => void probeLossCurve('last-update', k)}>
          Loss along the last update
        </button>
        <label className="hint">
          range{' '}
          <select value={k} onChange={(e) => setK(Number(e.target.value))}>
            <option value={4}>±4ε</option>
            <option value={50}>±50ε</option>
            <option value={500}>±500ε</option>
          </select>
        </label>
        {running && <span className="hint">Pause the run to probe.</span>}
        {status === 'loading' && <span className="hint">Measuring…</span>}
      </div>
      {error && <p className="field-error">{error}</p>}
      {curve && (
        <>
          <SeriesChart
            title={curve.direction === 'perturbation' ? `Loss along step ${curve.step + 1}'s direction z` : `Loss along step ${curve.step + 1}'s update`}
            series={[{ name: 'loss', color: '#0891b2', points, dots: true }]}
            xLabel="offset a"
            height={200}
          />
          <p className="explain" data-testid="probe-batch">
            {describeBatch(curve)}
          </p>
          <p className="explain">
            MeZO only ever sees the two points at a = ±ε (ε = {curveEps}). If the curve is close to a straight line around them, their difference is a good slope
            estimate; strong curvature within ±ε means ε is too large.
          </p>
        </>
      )}
    </div>
  );
}
