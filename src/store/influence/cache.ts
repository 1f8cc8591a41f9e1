// Influence vectors and results in IndexedDB. Vectors (f16, rows x K, as the engine computed them)
// are keyed by the model, weights and task hashes and K, so a reload hands them back to the engine
// and ranking needs no recompute; vectors of the same model and task under other weights are what
// a stale cache looks like (a run changed the weights). A run's influence results are kept under
// its id and go when the run goes. In Node tests the stores are Maps (useInfluenceDatabases).
import { idbKeyValue, type KeyValueStore } from '../keyValue';

let vectorStore = idbKeyValue('zo-studio-influence-vectors', 'vectors');
let resultStore = idbKeyValue('zo-studio-influence-results', 'results');

/** Other stores than the page's IndexedDB (Node tests). */
export function useInfluenceDatabases(vectors: KeyValueStore | undefined, results: KeyValueStore | undefined): void {
  vectorStore = vectors;
  resultStore = results;
}

/** What the vectors were computed from: the engine's hashes of model, weights (which cover the
 *  tuning mode's trainable set) and task, and the directions (K, their seed, block directions). */
export interface VectorKey {
  model: string;
  weights: string;
  task: string;
  k: number;
  seed: number;
  blocks: boolean;
}

export interface CachedVectors {
  version: 1;
  key: VectorKey;
  rows: number;
  /** The engine's versioned cache file (f16 vectors): importInfluenceVectors reads it back. */
  bytes: Uint8Array;
  savedAt: number;
  /** How long computing them took. */
  millis: number;
}

export function vectorKeyString(key: VectorKey): string {
  return `${key.model}/${key.weights}/${key.task}/k${key.k}/s${key.seed}/b${key.blocks}`;
}

export async function saveVectors(entry: CachedVectors): Promise<void> {
  await vectorStore?.set(vectorKeyString(entry.key), entry);
}

/** The vectors for exactly this key, or undefined. An entry of another shape is dropped. */
export async function loadVectors(key: VectorKey): Promise<CachedVectors | undefined> {
  if (!vectorStore) return undefined;
  const id = vectorKeyString(key);
  const entry = await vectorStore.get<CachedVectors>(id);
  if (!entry) return undefined;
  if (!isCachedVectors(entry)) {
    await vectorStore.del(id);
    return undefined;
  }
  return entry;
}

/** The newest vectors of this model, task and K under other weights: the cache a weight change left stale. */
export async function findStaleVectors(key: VectorKey): Promise<CachedVectors | undefined> {
  if (!vectorStore) return undefined;
  let newest: CachedVectors | undefined;
  for (const [, value] of await vectorStore.entries()) {
    if (!isCachedVectors(value)) continue;
    const k = value.key;
    if (k.model === key.model && k.task === key.task && k.k === key.k && k.seed === key.seed && k.blocks === key.blocks && k.weights !== key.weights && (!newest || value.savedAt > newest.savedAt)) newest = value;
  }
  return newest;
}

export async function deleteVectors(key: VectorKey): Promise<void> {
  await vectorStore?.del(vectorKeyString(key));
}

function isCachedVectors(v: unknown): v is CachedVectors {
  const e = v as Partial<CachedVectors> | null;
  return !!e && e.version === 1 && !!e.key && typeof e.key.weights === 'string' && typeof e.rows === 'number' && e.bytes instanceof Uint8Array && e.bytes.byteLength > 0;
}

/** Saves a run's influence results (whatever the view shows for it), replacing earlier ones. */
export async function saveRunResults<T>(runId: string, results: T): Promise<void> {
  await resultStore?.set(runId, { version: 1, results });
}

export async function loadRunResults<T>(runId: string): Promise<T | undefined> {
  const stored = await resultStore?.get<{ version: number; results: T }>(runId);
  return stored?.version === 1 ? stored.results : undefined;
}

export async function deleteRunResults(runId: string): Promise<void> {
  await resultStore?.del(runId);
}
