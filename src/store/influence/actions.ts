// Influence actions, outside React: look up the vectors of the current model, weights and task
// (in the engine, else in this browser's cache, which is handed back to the engine so ranking
// needs no recompute), compute them with progress and cancel, rank a query, and attribute a
// finished run's change of a query's loss to its training rows. Results are saved with the run
// whose weights they describe (./cache.ts). Progress events are read straight from the client
// (as the generate box does), not through the batched engine bridge.
import type { InfluenceKey, InfluenceQuery, TrainConfig } from '../../engine/api';
import { engine, hasEngine } from '../engineBridge';
import { currentWeights } from '../generate/actions';
import { savedRecord } from '../runs/records';
import { getState as studio, type StudioState } from '../state';
import { focusTaskRow } from '../task/actions';
import { userError } from '../userError';
import { deleteVectors, findStaleVectors, loadRunResults, loadVectors, saveRunResults, saveVectors, type VectorKey } from './cache';
import { saveSettings, useInfluence, type InfluenceSettings, type ShownRanking, type ShownTrajectory } from './slice';

const set = useInfluence.setState;
const get = useInfluence.getState;
let counter = 0;
/** The key of the last lookup, so a lookup that finishes after a newer one is dropped. */
let lookupSerial = 0;

type Studio = Pick<StudioState, 'engineStatus' | 'deviceLost' | 'modelStatus' | 'taskApplied' | 'taskSummary' | 'parsed' | 'activeRunId' | 'runs' | 'evaluating' | 'heldRunId' | 'config' | 'summary'>;

/** What is saved with a run (or with the base model of a task): the last ranking and attribution. */
interface SavedResults {
  ranking: (ShownRanking & { key: InfluenceKey }) | null;
  trajectory: ShownTrajectory | null;
}

export function setInfluenceField<K extends keyof InfluenceSettings>(key: K, value: InfluenceSettings[K]): void {
  set({ [key]: value } as Pick<InfluenceSettings, K>);
  saveSettings(get());
}

/** Why vectors cannot be computed or ranked now, or null when they can. */
export function influenceBlocker(s: Studio): string | null {
  if (s.engineStatus !== 'ready' || s.deviceLost) return 'The engine is not ready.';
  if (s.modelStatus === 'loading') return 'The model is loading…';
  if (s.modelStatus !== 'ready') return 'Load a model first (Model panel): influence is measured at the loaded weights.';
  if (!s.parsed) return 'Pick a task first (Task panel): the vectors are of its training rows.';
  if (!s.taskApplied || !s.taskSummary) return 'Apply the task (Task panel) so the engine has its rows.';
  if (!(s.taskSummary.splits.train > 0)) return 'This task has no train rows: influence ranks training rows, so upload a task with a train split.';
  const active = s.activeRunId ? s.runs[s.activeRunId] : undefined;
  if (active?.meta.state === 'running') return 'A run is training: pause or stop it first (influence shares the GPU with training, and needs weights that stay put).';
  if (s.evaluating) return 'Wait for the evaluation to finish.';
  return null;
}

/** Why the query cannot be ranked as asked (no dev split, an empty prompt), or null. */
export function queryBlocker(s: Pick<StudioState, 'taskSummary' | 'parsed'>, q: InfluenceSettings): string | null {
  if (q.queryKind === 'dev') {
    const rows = s.taskSummary?.splits.dev ?? 0;
    if (!(rows > 0)) return 'This task has no dev split: type a prompt and an answer instead, or upload a task with dev rows.';
    if (q.devRow >= rows) return `The dev split has ${rows} rows (0 to ${rows - 1}).`;
    return null;
  }
  if (q.prompt.trim() === '') return 'Type a prompt.';
  if (q.answer.trim() === '') return s.parsed?.spec.type === 'classification' ? 'Pick the answer (one of the task’s labels).' : 'Type the answer the prompt should get.';
  return null;
}

/** The query as the engine takes it. Classification answers are label words (with their space). */
export function queryOf(q: InfluenceSettings): InfluenceQuery {
  if (q.queryKind === 'dev') return { split: 'dev', row: q.devRow };
  return { prompt: q.prompt, answer: q.answer };
}

/** The parameters the directions span: the held run's (its trainable set), else the panel's mode. */
function influenceConfig(s: Studio): TrainConfig {
  const held = s.heldRunId ? s.runs[s.heldRunId] : undefined;
  return held?.meta.config ?? s.config;
}

/** The directions' seed: the engine's default (the view has no setting for it). */
const DIRECTION_SEED = 0;

function vectorKey(key: InfluenceKey, k: number): VectorKey {
  return { model: key.model, weights: key.weights, task: key.task, k, seed: DIRECTION_SEED, blocks: false };
}

/** Whose results these are: the held run's, or the base model's for this task. */
function ownerOf(s: Studio, key: InfluenceKey): string {
  return s.heldRunId ?? `base|${key.model}|${key.task}`;
}

/**
 * Finds the vectors of the current model, weights, task and K: kept if the engine holds them,
 * else read from this browser's cache and handed to the engine (no recompute). Vectors cached
 * under other weights are reported as stale. Also brings back the ranking saved for these weights.
 */
export async function refreshInfluence(): Promise<void> {
  const s = studio();
  if (influenceBlocker(s) !== null || get().progress || !hasEngine()) return;
  const serial = ++lookupSerial;
  const config = influenceConfig(s);
  const k = get().k;
  try {
    const key = await engine().influenceKey(config);
    if (serial !== lookupSerial) return;
    const held = get().vectors;
    const saved = await loadRunResults<SavedResults>(ownerOf(s, key));
    const ranking = saved?.ranking && sameKey(saved.ranking.key, key) ? saved.ranking : null;
    if (held && sameKey(held.key, key) && held.k === k) {
      if (!get().ranking && ranking) set({ ranking });
      return;
    }
    const vk = vectorKey(key, k);
    const cached = await loadVectors(vk);
    if (serial !== lookupSerial) return;
    if (cached) {
      try {
        const info = await engine().importInfluenceVectors(cached.bytes, config);
        if (serial !== lookupSerial) return;
        set({ vectors: { key: info.key, k: info.k, rows: info.rows, cacheBytes: cached.bytes.byteLength, source: 'cache', seconds: cached.millis / 1000, savedAt: cached.savedAt }, stale: null, ranking, error: null, notice: null });
        return;
      } catch (error) {
        // The engine refused the file ('vectors-mismatch': not of these weights, model or task;
        // or a damaged file): drop it and say so; computing again makes a good one.
        if (serial !== lookupSerial) return;
        await deleteVectors(vk);
        const e = userError(error);
        set({ vectors: null, ranking: null, stale: { savedAt: cached.savedAt, k: cached.key.k }, error: e.kind === 'vectors-mismatch' ? null : { kind: e.kind, message: `The cached vectors could not be read (${e.message}); compute them again.` } });
        return;
      }
    }
    const stale = await findStaleVectors(vk);
    if (serial !== lookupSerial) return;
    set({ vectors: null, ranking, stale: stale ? { savedAt: stale.savedAt, k: stale.key.k } : null });
  } catch (error) {
    if (serial === lookupSerial) set({ error: userError(error) });
  }
}

function sameKey(a: InfluenceKey, b: InfluenceKey): boolean {
  return a.model === b.model && a.weights === b.weights && a.task === b.task;
}

/** Computes every train row's K-vector at the current weights, caches it, then ranks the query. */
export async function computeVectors(): Promise<void> {
  const s = studio();
  const blocker = influenceBlocker(s);
  if (blocker || get().progress) {
    if (blocker) set({ error: { kind: 'blocked', message: blocker } });
    return;
  }
  const requestId = `influence-${Date.now().toString(36)}-${++counter}`;
  const config = influenceConfig(s);
  const k = get().k;
  lookupSerial++; // a lookup still in flight is for the vectors this replaces
  set({ progress: { requestId, phase: 'vectors', done: 0, total: 0, secondsLeft: null, cost: null, cancelling: false }, error: null, notice: null });
  const off = followProgress(requestId);
  try {
    const result = await engine().influenceVectors({ requestId, k, config, seed: DIRECTION_SEED });
    const savedAt = Date.now();
    set({ vectors: { key: result.key, k: result.k, rows: result.rows, cacheBytes: result.bytes.byteLength, source: 'computed', seconds: result.seconds, savedAt }, stale: null, ranking: null });
    await saveVectors({ version: 1, key: vectorKey(result.key, result.k), rows: result.rows, bytes: result.bytes, savedAt, millis: result.seconds * 1000 });
  } catch (error) {
    const e = userError(error);
    if (e.kind === 'cancelled') set({ notice: 'Cancelled: no vectors were kept; the weights are as they were.' });
    else set({ error: e });
  } finally {
    off();
    set({ progress: null });
  }
  if (get().vectors && queryBlocker(studio(), get()) === null) await rankQuery();
}

/** Asks the engine to stop the computation in flight (it rejects with 'cancelled'). */
export function cancelInfluence(): void {
  const p = get().progress;
  if (!p || p.cancelling || !hasEngine()) return;
  set({ progress: { ...p, cancelling: true } });
  void engine().cancelInfluence(p.requestId);
}

function followProgress(requestId: string): () => void {
  return engine().subscribe((event) => {
    if (event.kind !== 'influence-progress' || event.requestId !== requestId) return;
    const p = get().progress;
    if (!p || p.requestId !== requestId) return;
    set({ progress: { ...p, phase: event.phase, done: event.done, total: event.total, secondsLeft: event.secondsLeft, cost: event.cost ?? p.cost } });
  });
}

/** Ranks the train rows for the query against the vectors the engine holds. */
export async function rankQuery(): Promise<void> {
  const s = studio();
  const q = get();
  const blocker = influenceBlocker(s) ?? queryBlocker(s, q) ?? (q.vectors ? null : 'Compute the vectors first.');
  if (blocker || q.progress) {
    if (blocker) set({ error: { kind: 'blocked', message: blocker } });
    return;
  }
  const requestId = `influence-${Date.now().toString(36)}-${++counter}`;
  const query = queryOf(q);
  set({ progress: { requestId, phase: 'query', done: 0, total: 0, secondsLeft: null, cost: null, cancelling: false }, error: null, notice: null });
  const off = followProgress(requestId);
  try {
    const [ranking] = await engine().influenceRank({ requestId, queries: [query], top: q.top });
    const shown: ShownRanking = { query, queryLoss: ranking.queryLoss, proponents: ranking.proponents, opponents: ranking.opponents, weights: currentWeights(s) };
    set({ ranking: shown });
    const key = get().vectors?.key;
    if (key) await saveResults(ownerOf(s, key), { ranking: { ...shown, key } });
  } catch (error) {
    const e = userError(error);
    set(e.kind === 'cancelled' ? { notice: 'Cancelled.' } : { error: e });
  } finally {
    off();
    set({ progress: null });
  }
}

/** Why a run's trajectory cannot be attributed (first-order attribution needs plain two-sided
 *  ZO-SGD with one direction per step), or null when it can. */
export function trajectoryRefusal(config: TrainConfig): string | null {
  if (config.objective === 'dpo' || config.objective === 'zopro') return 'preference runs are not attributed';
  if (config.optimizer !== 'zo-sgd') return 'only ZO-SGD runs are attributed';
  if (config.q !== 1) return 'only runs with one perturbation per step (q = 1)';
  if (config.oneSided) return 'only two-sided runs';
  return null;
}

/** Which finished run the trajectory panel attributes; brings back its saved attribution. */
export async function selectTrajectoryRun(runId: string | null): Promise<void> {
  set({ trajectoryRunId: runId, trajectory: null });
  if (!runId) return;
  const saved = await loadRunResults<SavedResults>(runId);
  if (get().trajectoryRunId === runId && saved?.trajectory) set({ trajectory: saved.trajectory });
}

/** Replays a finished ZO run with the query evaluated at every step: each row's share of the change. */
export async function attributeRun(): Promise<void> {
  const s = studio();
  const q = get();
  const runId = q.trajectoryRunId;
  const run = runId ? s.runs[runId] : undefined;
  const record = runId ? savedRecord(runId) : null;
  const blocker = influenceBlocker(s) ?? queryBlocker(s, q) ?? (!run ? 'Pick a run.' : !record ? 'This run has no record to replay (it never stepped).' : null);
  if (blocker || q.progress || !run || !record) {
    if (blocker) set({ error: { kind: 'blocked', message: blocker } });
    return;
  }
  const requestId = `influence-${Date.now().toString(36)}-${++counter}`;
  const query = queryOf(q);
  set({ progress: { requestId, phase: 'trajectory', done: 0, total: 0, secondsLeft: null, cost: null, cancelling: false }, error: null, notice: null });
  const off = followProgress(requestId);
  try {
    const t = await engine().influenceTrajectory({ requestId, query, record, config: run.meta.config, top: q.top });
    const shown: ShownTrajectory = {
      runId: run.meta.id, query, steps: t.steps, proponents: t.proponents, opponents: t.opponents,
      predicted: Array.from(t.predicted), actual: Array.from(t.actual),
      predictedTotal: t.predictedTotal, actualTotal: t.actualTotal, correlation: t.correlation, lossBefore: t.lossBefore, lossAfter: t.lossAfter,
    };
    if (get().trajectoryRunId === run.meta.id) set({ trajectory: shown });
    await saveResults(run.meta.id, { trajectory: shown });
  } catch (error) {
    const e = userError(error);
    set(e.kind === 'cancelled' ? { notice: 'Cancelled: the weights are as they were.' } : { error: e });
  } finally {
    off();
    set({ progress: null });
  }
}

async function saveResults(owner: string, patch: Partial<SavedResults>): Promise<void> {
  const before = (await loadRunResults<SavedResults>(owner)) ?? { ranking: null, trajectory: null };
  await saveRunResults<SavedResults>(owner, { ...before, ...patch });
}

/** Shows a training row in the task's row table, highlighted. */
export function showTrainRow(row: number): void {
  focusTaskRow({ split: 'train', index: row });
}
