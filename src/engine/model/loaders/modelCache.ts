// The model cache, shared by the browser (OPFS + IndexedDB, browserCache.browser.ts) and Node
// (a folder, nodeFolderCache.ts): downloads stream to storage chunk by chunk, an interrupted
// one resumes with `Range: bytes=<stored>-` (RFC 9110 §14), and a model whose entry is complete
// is served with no network request at all.
import type { ByteSource } from './byteSource';
import { DownloadCancelledError, NetworkError, NotFoundError, isAbort } from './errors';
import { httpGet, lfsSha256, totalSize, type HttpOptions } from './httpSource';
import type { FileRecord } from './modelFiles';
import { FileProgress, type ProgressListener } from './progress';

export interface CachedModel {
  /** e.g. `hub:https://huggingface.co/HuggingFaceTB/SmolLM2-135M@main` */
  key: string;
  /** For people: repo@revision or a URL. */
  label: string;
  /** Files fully downloaded, with their sizes. */
  files: FileRecord[];
  /** True once every file the model needs is here: loads then make no request. */
  complete: boolean;
  totalBytes: number;
  savedAt: number;
}

export interface CacheWriter {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Where cached bytes and the index live; the two platforms implement only this. */
export interface CacheBackend {
  getEntry(key: string): Promise<CachedModel | undefined>;
  putEntry(entry: CachedModel): Promise<void>;
  listEntries(): Promise<CachedModel[]>;
  /** Deletes the entry and every stored file of the model. */
  remove(key: string): Promise<void>;
  /** Bytes of `file` stored so far; 0 when none. */
  storedBytes(key: string, file: string): Promise<number>;
  /** Writes `file` from byte `from` on, dropping anything stored past it. */
  openWriter(key: string, file: string, from: number): Promise<CacheWriter>;
  openReader(key: string, file: string): Promise<ByteSource>;
  /** Hex sha-256 of a stored file, where the platform can hash a stream. */
  sha256?(key: string, file: string): Promise<string>;
}

/**
 * A stored index entry, or undefined when it is not one (a damaged entry.json, another layout):
 * such an entry counts as not cached, so the files are fetched again (resuming what is stored)
 * instead of being served on the word of a broken index.
 */
export function validCacheEntry(v: unknown, key?: string): CachedModel | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const e = v as Partial<CachedModel>;
  const fileOk = (f: Partial<FileRecord> | null) => !!f && typeof f.name === 'string' && Number.isSafeInteger(f.size) && f.size! >= 0 && (f.sha256 === undefined || typeof f.sha256 === 'string');
  const ok = typeof e.key === 'string' && (key === undefined || e.key === key) && typeof e.label === 'string' && typeof e.complete === 'boolean' && Array.isArray(e.files) && e.files.every(fileOk);
  return ok ? (e as CachedModel) : undefined;
}

export class ModelCache {
  constructor(readonly backend: CacheBackend) {}

  async list(): Promise<CachedModel[]> {
    return (await this.backend.listEntries()).filter((e) => validCacheEntry(e));
  }

  async get(key: string): Promise<CachedModel | undefined> {
    return validCacheEntry(await this.backend.getEntry(key), key);
  }

  delete(key: string): Promise<void> {
    return this.backend.remove(key);
  }

  /** The stored file when the entry lists it and every byte is on disk. */
  async cachedFile(entry: CachedModel | undefined, file: string): Promise<ByteSource | null> {
    const rec = entry?.files.find((f) => f.name === file);
    if (!entry || !rec || (await this.backend.storedBytes(entry.key, file)) !== rec.size) return null;
    return this.backend.openReader(entry.key, file);
  }

  /** Records a finished file (and, with `complete`, the whole model) in the index. */
  async record(key: string, label: string, file: FileRecord | null, complete: boolean): Promise<CachedModel> {
    const prior = await this.get(key);
    const files = (prior?.files ?? []).filter((f) => f.name !== file?.name);
    if (file) files.push(file);
    const entry: CachedModel = { key, label, files, complete, totalBytes: files.reduce((a, f) => a + f.size, 0), savedAt: Date.now() };
    await this.backend.putEntry(entry);
    return entry;
  }

  /**
   * Downloads `url` into the cache as `file` of model `key`, resuming from what is stored.
   * Null on 404. The connection breaking leaves the partial file for the next attempt.
   */
  async download(key: string, file: string, url: string, http: HttpOptions, onProgress?: ProgressListener): Promise<FileRecord | null> {
    let from = await this.backend.storedBytes(key, file);
    let res = await httpGet(url, http, from > 0 ? `bytes=${from}-` : undefined);
    if (!res) return null;
    if (res.status === 416 || (from > 0 && res.status === 200)) {
      // The stored part is not a prefix the server recognises (changed file, or no Range
      // support): start over.
      await res.body?.cancel().catch(() => {});
      from = 0;
      res = await httpGet(url, http);
      if (!res) return null;
    }
    if (res.status === 206) {
      const start = Number(/bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1] ?? -1);
      if (start !== from) {
        await res.body?.cancel().catch(() => {});
        throw new NetworkError(url, `asked to resume at byte ${from}, the server answered from ${start}`);
      }
    }
    const encoded = res.headers.get('content-encoding');
    const total = encoded && encoded !== 'identity' ? null : totalSize(res);
    const sha = lfsSha256(res);
    const progress = new FileProgress(file, total ?? 0, 'download', onProgress, from);
    const writer = await this.backend.openWriter(key, file, from);
    let stored = from;
    try {
      if (!res.body) throw new NetworkError(url, 'the response has no body');
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await writer.write(value);
        stored += value.byteLength;
        progress.add(value.byteLength);
      }
    } catch (e) {
      if (isAbort(e) || http.signal?.aborted) throw new DownloadCancelledError(`${file} (${stored} bytes kept for resuming)`);
      if (e instanceof NetworkError || e instanceof NotFoundError) throw e;
      throw new NetworkError(url, `the connection broke after ${stored} bytes (${(e as Error).message})`, stored);
    } finally {
      await writer.close();
    }
    if (total !== null && stored !== total) throw new NetworkError(url, `the download ended at ${stored} of ${total} bytes`, stored);
    progress.finish();
    const record: FileRecord = { name: file, size: stored };
    const hash = sha ?? (await this.backend.sha256?.(key, file));
    if (hash) record.sha256 = hash;
    return record;
  }
}
