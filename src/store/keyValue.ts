// The few key-value operations persistence needs, over an IndexedDB object store (idb-keyval) in
// the page, or over a Map in Node tests (which can count the bytes each write costs).
import { createStore, del, entries, get, set } from 'idb-keyval';

export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  entries(): Promise<[IDBValidKey, unknown][]>;
}

/** An IndexedDB object store; undefined where there is no IndexedDB (Node). */
export function idbKeyValue(database: string, store: string): KeyValueStore | undefined {
  if (typeof indexedDB === 'undefined') return undefined;
  const s = createStore(database, store);
  return {
    get: (key) => get(key, s),
    set: (key, value) => set(key, value, s),
    del: (key) => del(key, s),
    entries: () => entries(s),
  };
}
