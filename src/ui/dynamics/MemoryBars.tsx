// GPU memory by category (from the engine's ledger) next to what inference alone would need.
import { MEMORY_CATEGORIES } from '../../engine/gpu/ledger';
import { useStudio } from '../../store/state';
import { bytes } from '../format';

const COLORS: Record<string, string> = {
  weights: '#2563eb',
  trainable: '#16a34a',
  optimizer: '#f97316',
  activations: '#7c3aed',
  scratch: '#64748b',
  staging: '#94a3b8',
};

export function MemoryBars() {
  const memory = useStudio((s) => s.memory);
  if (!memory) return <p className="hint">GPU memory by category appears once a model is loaded.</p>;
  const { ledger, inferenceBaseline } = memory;
  const scale = Math.max(ledger.total, ledger.peak, inferenceBaseline, 1);
  return (
    <figure className="memory" aria-label="GPU memory by category">
      <figcaption>GPU memory: training now vs. inference only</figcaption>
      <div className="mem-row">
        <span className="mem-label">Training</span>
        <div className="mem-bar" role="img" aria-label={`Training uses ${bytes(ledger.total)}`}>
          {MEMORY_CATEGORIES.map((c) =>
            ledger.current[c] > 0 ? <span key={c} style={{ width: `${(100 * ledger.current[c]) / scale}%`, background: COLORS[c] }} title={`${c}: ${bytes(ledger.current[c])}`} /> : null,
          )}
        </div>
        <span className="mem-value">{bytes(ledger.total)}</span>
      </div>
      <div className="mem-row">
        <span className="mem-label">Inference</span>
        <div className="mem-bar" role="img" aria-label={`Inference needs ${bytes(inferenceBaseline)}`}>
          <span style={{ width: `${(100 * inferenceBaseline) / scale}%`, background: '#94a3b8' }} />
        </div>
        <span className="mem-value">{bytes(inferenceBaseline)}</span>
      </div>
      <ul className="legend">
        {MEMORY_CATEGORIES.filter((c) => ledger.current[c] > 0).map((c) => (
          <li key={c}>
            <span className="swatch" style={{ background: COLORS[c] }} /> {c} {bytes(ledger.current[c])}
          </li>
        ))}
        <li>peak {bytes(ledger.peak)}</li>
      </ul>
      <p className="explain">Backpropagation would also keep every layer's activations and a gradient the size of the weights; zeroth-order training needs neither.</p>
    </figure>
  );
}
