// The memory estimate the engine makes before loading, against this adapter's limits.
import { useStudio } from '../../store/state';
import { bytes } from '../format';

export function MemoryEstimateView() {
  const estimate = useStudio((s) => s.estimate);
  // The same failure (the Hub unreachable, say) reaches both the estimate and the load: say it once.
  const error = useStudio((s) => (s.estimateError && s.estimateError.message !== s.modelError?.message ? s.estimateError : null));
  return (
    <div className="estimate" aria-live="polite">
      {estimate ? (
        <>
          <p className={estimate.fits ? 'ok' : 'warn'}>
            <strong>{estimate.fits ? 'Fits' : 'Does not fit'}</strong>: about {bytes(estimate.totalBytes)} of GPU memory
            {' '}(weights {bytes(estimate.weightsBytes)}, activations {bytes(estimate.activationBytes)}, training extra {bytes(estimate.trainingExtraBytes)}); largest buffer allowed here {bytes(estimate.maxBufferBytes)}.
          </p>
          {estimate.advice && <p className="hint">{estimate.advice}</p>}
        </>
      ) : error ? (
        <p className="warn">Memory estimate unavailable: {error.message}</p>
      ) : null}
    </div>
  );
}
