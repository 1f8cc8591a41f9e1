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

/**
 * Writes to a store where writes of one key land in call order (a later state never loses to
 * an earlier one still in flight), and one failed write does not block the next.
 */
export class SerialWrites {
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly store: KeyValueStore) {}

  set(key: string, value: unknown): Promise<void> {
    const previous = this.pending.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.store.set(key, value));
    this.pending.set(key, next);
    const settle = (): void => {
      if (this.pending.get(key) === next) this.pending.delete(key);
    };
    next.then(settle, settle);
    return next;
  }

  /** Resolves when every write issued so far has landed or failed. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.pending.values());
  }
}
