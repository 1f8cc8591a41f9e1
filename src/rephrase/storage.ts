// The persistence seam of a rephrase job: a tiny key-value interface that the browser backs
// with idb-keyval (idbStore.ts) and Node/the CLI backs with files (fileStore.ts).
// Values are plain JSON-compatible data; the API key is never among them (see endpoint.ts).

export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
}

/** An in-memory store: for tests and for jobs the user chose not to persist. */
export class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, string>();

  async get<T>(key: string): Promise<T | undefined> {
    const raw = this.data.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    // Stored as JSON text so callers cannot mutate what was stored, like IndexedDB's clone.
    this.data.set(key, JSON.stringify(value));
  }

  async del(key: string): Promise<void> {
    this.data.delete(key);
  }
}

/** A view of `store` whose keys are all prefixed, so several jobs can share one database. */
export function namespaced(store: KeyValueStore, prefix: string): KeyValueStore {
  const k = (key: string): string => `${prefix}/${key}`;
  return {
    get: <T>(key: string) => store.get<T>(k(key)),
    set: (key, value) => store.set(k(key), value),
    del: (key) => store.del(k(key)),
  };
}
