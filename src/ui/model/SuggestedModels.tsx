// Small models to try from the Hub, with their size at each precision and whether that load fits
// this adapter, shown before any request: the sizes come from each model's config shapes
// (engine/model/suggestedModels.ts) and the adapter's limits, for the batch and sequence length set.
import { useShallow } from 'zustand/react/shallow';
import type { WeightPrecision } from '../../engine/api';
import { SUGGESTED_MODELS, suggestionSizes } from '../../engine/model/suggestedModels';
import { setModelField } from '../../store/model/actions';
import { useStudio } from '../../store/state';
import { bytes, count } from '../format';

const PRECISIONS: WeightPrecision[] = ['f32', 'f16', 'q8', 'q4'];

export function SuggestedModels() {
  const s = useStudio(useShallow((st) => ({ limits: st.adapter?.limits, batch: st.config.batch, maxSeqLen: st.maxSeqLen, precision: st.precision, hubRepo: st.hubRepo, busy: st.modelStatus === 'loading' })));
  if (!s.limits) return null;
  const limits = s.limits;
  return (
    <div className="suggested">
      <table aria-label="Suggested models">
        <caption>
          Small models to try: weights at each precision; ✓ fits this GPU's buffers at batch {s.batch} × sequence {s.maxSeqLen}, ✗ does not.
        </caption>
        <thead>
          <tr>
            <th scope="col">model</th>
            <th scope="col">parameters</th>
            {PRECISIONS.map((p) => (
              <th key={p} scope="col" className={p === s.precision ? 'chosen' : undefined}>
                {p}
              </th>
            ))}
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {SUGGESTED_MODELS.map((m) => {
            const sizes = suggestionSizes(m, limits, s.batch, s.maxSeqLen);
            return (
              <tr key={m.repo} className={m.repo === s.hubRepo.trim() ? 'chosen' : undefined}>
                <th scope="row">
                  <code>{m.repo}</code>
                  <small className="hint"> {m.note}</small>
                </th>
                <td>{count(sizes.parameters)}</td>
                {PRECISIONS.map((p) => {
                  const at = sizes.byPrecision[p];
                  return (
                    <td key={p} className={p === s.precision ? 'chosen' : undefined} title={`about ${bytes(at.totalBytes)} with activations`}>
                      {bytes(at.weightsBytes)} {at.fits ? '✓' : '✗'}
                    </td>
                  );
                })}
                <td>
                  <button type="button" disabled={s.busy} onClick={() => setModelField('hubRepo', m.repo)} aria-label={`Use ${m.repo}`}>
                    Use
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
