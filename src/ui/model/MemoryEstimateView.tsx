// The memory estimate the engine makes before loading, against this adapter's limits, plus
// how much browser storage this site uses (the model cache lives there).
import { useEffect, useState } from 'react';
import { useStudio } from '../../store/state';
import { bytes } from '../format';

export function MemoryEstimateView() {
  const estimate = useStudio((s) => s.estimate);
  const error = useStudio((s) => s.estimateError);
  const [storage, setStorage] = useState<StorageEstimate | null>(null);
  useEffect(() => {
    void navigator.storage?.estimate?.().then(setStorage, () => setStorage(null));
  }, []);
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
      {storage?.quota ? (
        <p className="hint">
          Browser storage for this site: {bytes(storage.usage ?? 0)} used of {bytes(storage.quota)}.
        </p>
      ) : null}
    </div>
  );
}
