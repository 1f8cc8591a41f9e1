// Models cached in this browser (OPFS files, IndexedDB index: the loader's browser cache), their
// sizes, delete, and the site's storage use. Read on the main thread: same origin as the worker.
import { useCallback, useEffect, useState } from 'react';
import { browserModelCache, requestPersistentStorage, storageEstimate } from '../../engine/model/loaders/browserCache.browser';
import type { CachedModel } from '../../engine/model/loaders/modelCache';
import { useStudio } from '../../store/state';
import { bytes } from '../format';

export function CacheList() {
  const loading = useStudio((s) => s.modelStatus === 'loading');
  const [models, setModels] = useState<CachedModel[] | null>(null);
  const [storage, setStorage] = useState<{ usage: number; quota: number; persisted: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(async () => {
    try {
      const cache = browserModelCache();
      const [list, estimate] = await Promise.all([cache.list(), storageEstimate()]);
      setModels(list.sort((a, b) => b.savedAt - a.savedAt));
      setStorage(estimate);
      setError(null);
    } catch (e) {
      setError(`The model cache cannot be read here: ${(e as Error).message}`);
    }
  }, []);
  useEffect(() => {
    if (!loading) void refresh();
  }, [loading, refresh]);
  const remove = async (key: string) => {
    await browserModelCache().delete(key);
    await refresh();
  };
  return (
    <details className="cache">
      <summary>
        Cached models {models ? `(${models.length})` : ''} {storage ? `· ${bytes(storage.usage)} of ${bytes(storage.quota)} used` : ''}
      </summary>
      {error && <p className="field-error">{error}</p>}
      {models && models.length === 0 && <p className="hint">Nothing cached yet. Hub downloads are kept here so the next load needs no network.</p>}
      <ul aria-label="Cached models">
        {models?.map((m) => (
          <li key={m.key}>
            <span>
              {m.label} · {bytes(m.totalBytes)} {m.complete ? '' : '(partial: resumes on next load)'}
            </span>
            <button type="button" className="small danger" disabled={loading} onClick={() => void remove(m.key)} aria-label={`Delete cached ${m.label}`}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      {storage && !storage.persisted && (
        <button type="button" className="small" onClick={() => void requestPersistentStorage().then(refresh)}>
          Ask the browser to keep the cache
        </button>
      )}
    </details>
  );
}
