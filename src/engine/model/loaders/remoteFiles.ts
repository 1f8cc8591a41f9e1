// A Hub repository or a folder URL as ModelFiles. With a cache, every file is downloaded into
// it (resuming partial ones) and read back from it, and a complete cached model answers from
// the cache with no request; without one, weights are read by HTTP Range requests on demand.
import type { ByteSource } from './byteSource';
import { bytesSource } from './byteSource';
import { DEFAULT_HUB_ENDPOINT, hubFileUrl, httpGet, openHttpSource, responseBytes, type HttpOptions } from './httpSource';
import type { CachedModel, ModelCache } from './modelCache';
import type { FileRecord, ModelFiles } from './modelFiles';
import { DownloadCancelledError, NotFoundError, hostOf } from './errors';
import { FileProgress, type ProgressListener } from './progress';

export interface RemoteOptions {
  endpoint?: string;
  token?: string;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** null: no cache, read weights by Range requests. */
  cache?: ModelCache | null;
  onProgress?: ProgressListener;
}

export interface RemoteFiles extends ModelFiles {
  readonly cacheKey: string;
  /** Marks the cached model complete: later loads make no request. */
  finish(): Promise<void>;
  notFound(name: string): Error;
}

/** `hub`: repo + revision on an endpoint; `url`: a folder URL (files are `${url}/${name}`). */
export function remoteFiles(where: { repo: string; revision?: string } | { url: string }, opts: RemoteOptions): RemoteFiles {
  const endpoint = opts.endpoint ?? DEFAULT_HUB_ENDPOINT;
  const isHub = 'repo' in where;
  const revision = isHub ? (where.revision ?? 'main') : '';
  const urlOf = (name: string) => (isHub ? hubFileUrl(endpoint, where.repo, revision, name) : `${where.url.replace(/\/+$/, '')}/${name}`);
  const label = isHub ? `${where.repo}@${revision}` : where.url;
  const cacheKey = isHub ? `hub:${endpoint.replace(/\/+$/, '')}/${where.repo}@${revision}` : `url:${where.url}`;
  const site = isHub ? (endpoint === DEFAULT_HUB_ENDPOINT ? 'the Hub' : `the Hub endpoint ${endpoint}`) : hostOf(where.url);
  const http: HttpOptions = { token: opts.token, signal: opts.signal, fetch: opts.fetch, repo: isHub ? where.repo : where.url, site };
  const cache = opts.cache ?? null;
  const opened: FileRecord[] = [];
  let entry: CachedModel | undefined;
  let entryLoaded = false;

  async function openCached(name: string): Promise<ByteSource | null> {
    if (!cache) return null;
    if (!entryLoaded) {
      entry = await cache.get(cacheKey);
      entryLoaded = true;
    }
    if (entry?.complete && !entry.files.some((f) => f.name === name)) return null;
    const source = await cache.cachedFile(entry, name);
    if (source) {
      const rec = entry!.files.find((f) => f.name === name)!;
      opened.push(rec);
      const p = new FileProgress(name, rec.size, 'cache', opts.onProgress, rec.size);
      p.finish();
    }
    return source;
  }

  return {
    label,
    cacheKey,
    notFound: (name) => new NotFoundError(urlOf(name), `${name} in ${label}`),
    async open(name) {
      if (opts.signal?.aborted) throw new DownloadCancelledError(label);
      const cached = await openCached(name);
      if (cached || entry?.complete) return cached;
      if (cache) {
        const rec = await cache.download(cacheKey, name, urlOf(name), http, opts.onProgress);
        if (!rec) return null;
        entry = await cache.record(cacheKey, label, rec, false);
        opened.push(rec);
        return cache.backend.openReader(cacheKey, name);
      }
      if (name.endsWith('.json')) {
        const res = await httpGet(urlOf(name), http);
        if (!res) return null;
        const bytes = await responseBytes(res, urlOf(name), opts.signal);
        opened.push({ name, size: bytes.byteLength });
        return bytesSource(name, bytes);
      }
      const source = await openHttpSource(urlOf(name), name, http, (size) => new FileProgress(name, size, 'download', opts.onProgress));
      if (source) opened.push({ name, size: source.size, ...(source.sha256 ? { sha256: source.sha256 } : {}) });
      return source;
    },
    records: () => opened,
    async finish() {
      if (cache && !entry?.complete) entry = await cache.record(cacheKey, label, null, true);
    },
  };
}
