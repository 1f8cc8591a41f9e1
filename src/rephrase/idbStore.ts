// Browser persistence for rephrase jobs: the KeyValueStore interface over idb-keyval, in a
// database of its own so a reload resumes a job where it stopped.
import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import type { KeyValueStore } from './storage';

export function createIdbStore(dbName = 'zo-studio-rephrase', storeName = 'jobs'): KeyValueStore {
  const db: UseStore = createStore(dbName, storeName);
  return {
    get: <T>(key: string) => get<T>(key, db),
    set: (key, value) => set(key, value, db),
    del: (key) => del(key, db),
  };
}
