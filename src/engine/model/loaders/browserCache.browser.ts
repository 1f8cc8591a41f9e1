// Browser-only cache backend: model files in the Origin Private File System (one directory per
// model, written through a sync access handle inside a Worker, a writable stream otherwise) and
// the index in IndexedDB through idb-keyval; plus storage estimate and persistence requests.
// The download/resume logic is ModelCache's, shared with (and tested through) the Node backend.
import { createStore, del, get, set, values, type UseStore } from 'idb-keyval';
import { blobSource } from './byteSource';
import { ModelCache, type CacheBackend, type CachedModel, type CacheWriter } from './modelCache';

const ROOT = 'zo-studio-models';

/** FNV-1a, hex: a stable directory name for a cache key (OPFS names cannot hold '/' or ':'). */
function folderName(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  const slug = key.replace(/^[a-z]+:(https?:\/\/)?/, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(-80);
  return `${slug}-${h.toString(16).padStart(8, '0')}`;
}

const isNotFound = (e: unknown) => e instanceof DOMException && (e.name === 'NotFoundError' || e.name === 'TypeMismatchError');

export class OpfsCacheBackend implements CacheBackend {
  private readonly store: UseStore;

  constructor(dbName = 'zo-studio', storeName = 'models') {
    this.store = createStore(dbName, storeName);
  }

  private async modelDir(key: string, create: boolean): Promise<FileSystemDirectoryHandle> {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT, { create: true });
    return root.getDirectoryHandle(folderName(key), { create });
  }

  private async fileHandle(key: string, file: string, create: boolean): Promise<FileSystemFileHandle> {
    let dir = await this.modelDir(key, create);
    const parts = file.split('/');
    for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create });
    return dir.getFileHandle(parts[parts.length - 1], { create });
  }

  getEntry(key: string): Promise<CachedModel | undefined> {
    return get<CachedModel>(key, this.store);
  }

  putEntry(entry: CachedModel): Promise<void> {
    return set(entry.key, entry, this.store);
  }

  async listEntries(): Promise<CachedModel[]> {
    return (await values<CachedModel>(this.store)).sort((a, b) => a.label.localeCompare(b.label));
  }

  async remove(key: string): Promise<void> {
    await del(key, this.store);
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT, { create: true });
    await root.removeEntry(folderName(key), { recursive: true }).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }

  async storedBytes(key: string, file: string): Promise<number> {
    try {
      return (await (await this.fileHandle(key, file, false)).getFile()).size;
    } catch (e) {
      if (isNotFound(e)) return 0;
      throw e;
    }
  }

  async openWriter(key: string, file: string, from: number): Promise<CacheWriter> {
    const handle = await this.fileHandle(key, file, true);
    const withSync = handle as FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<FileSystemSyncAccessHandle> };
    if (typeof withSync.createSyncAccessHandle === 'function' && typeof document === 'undefined') {
      // In a Worker: bytes land on disk as written, so even a closed tab leaves a resumable part.
      const access = await withSync.createSyncAccessHandle();
      access.truncate(from);
      let at = from;
      return {
        async write(chunk) {
          at += access.write(chunk, { at });
        },
        async close() {
          access.flush();
          access.close();
        },
      };
    }
    const stream = await handle.createWritable({ keepExistingData: true });
    await stream.truncate(from);
    await stream.seek(from);
    return {
      write: (chunk) => stream.write(chunk as Uint8Array<ArrayBuffer>),
      close: () => stream.close(),
    };
  }

  async openReader(key: string, file: string) {
    return blobSource(file, await (await this.fileHandle(key, file, false)).getFile());
  }
}

export function browserModelCache(): ModelCache {
  return new ModelCache(new OpfsCacheBackend());
}

/** What the origin uses and may use (navigator.storage.estimate()). */
export async function storageEstimate(): Promise<{ usage: number; quota: number; persisted: boolean }> {
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  return { usage, quota, persisted: await navigator.storage.persisted() };
}

/** Asks the browser not to evict the cache under storage pressure; true when granted. */
export async function requestPersistentStorage(): Promise<boolean> {
  return (await navigator.storage.persisted()) || navigator.storage.persist();
}
