// Runs in IndexedDB, written as they train at a cost that does not grow with the run. A run is a
// small head under its id (meta, the step its record covers, how many chunks) and chunks beside
// it, each holding the rows and record bytes added since the save before: a save writes the head
// and one chunk of what is new. A series whose rows were dropped (a resumed run replaying steps it
// had shown), a record that began again (EngineEvent 'run-record'), or a first save after a
// reload writes the run whole as a new generation of chunks, then drops the old one, so a crash
// mid-save leaves the previous save readable. Runs saved whole by earlier versions (one StoredRun
// under the id) are read as they are; their next save rewrites them in chunks.
import { idbKeyValue, type KeyValueStore } from './keyValue';
import { InvalidFileError } from '../engine/files/invalidFile';
import { validateStoredRun } from './runFile';
import type { RunMeta, StoredRun } from './runTypes';
import type { RecordBuffer } from './runs/recordBuffer';
import { cutsOf, emptyEvals, emptyRewards, emptySteps, type EvalSeries, type RewardSeries, type StepSeries } from './series';

let heads = idbKeyValue('zo-studio-runs', 'runs');
let chunks = idbKeyValue('zo-studio-run-chunks', 'chunks');

/** Other stores than the page's IndexedDB (Node tests). */
export function useRunDatabases(headStore: KeyValueStore, chunkStore: KeyValueStore): void {
  heads = headStore;
  chunks = chunkStore;
  written.clear();
}

interface RunHead {
  version: 1;
  layout: 'chunks';
  meta: RunMeta;
  recordStep: number;
  /** Chunks are keyed `${id}/${generation}/${k}`, k < chunks. */
  generation: number;
  chunks: number;
}

interface RunChunk {
  steps: StepSeries;
  evals: EvalSeries;
  rewards: RewardSeries;
  /** Record bytes this chunk adds (null: the run has no record yet). */
  record: Uint8Array | null;
}

/** What the last save of a run wrote, to append only what came after it. */
interface Written {
  generation: number;
  chunks: number;
  steps: StepSeries;
  stepsRows: number;
  stepsCuts: number;
  evals: EvalSeries;
  evalsRows: number;
  rewards: RewardSeries;
  rewardsRows: number;
  rewardsCuts: number;
  record: RecordBuffer | null;
  recordBytes: number;
}
const written = new Map<string, Written>();

/** A run as the app holds it: its series (appended in place) and its record as it grows. */
export interface LiveRun {
  meta: RunMeta;
  steps: StepSeries;
  evals: EvalSeries;
  rewards: RewardSeries;
  recordStep: number;
}

/** Saves a run: its head and the rows and record bytes added since its last save. */
export async function saveRunGoing(run: LiveRun, record: RecordBuffer | null): Promise<void> {
  if (!heads || !chunks) return;
  const id = run.meta.id;
  const last = written.get(id);
  const appendable = last && last.steps === run.steps && last.evals === run.evals && last.rewards === run.rewards && last.record === record &&
    cutsOf(run.steps) === last.stepsCuts && cutsOf(run.rewards) === last.rewardsCuts &&
    run.steps.step.length >= last.stepsRows && run.evals.step.length >= last.evalsRows && run.rewards.step.length >= last.rewardsRows;
  if (!appendable) return saveWhole(run, record);
  // Counted before the writes: the series and the record keep growing while they are awaited.
  const now = track(run, record, last.generation, last.chunks + 1);
  const chunk: RunChunk = {
    steps: rows(run.steps, last.stepsRows, now.stepsRows),
    evals: rows(run.evals, last.evalsRows, now.evalsRows),
    rewards: rows(run.rewards, last.rewardsRows, now.rewardsRows),
    record: record ? record.slice(last.recordBytes, now.recordBytes) : null,
  };
  await chunks.set(chunkKey(id, last.generation, last.chunks), chunk);
  await heads.set(id, head(run, last.generation, last.chunks + 1));
  written.set(id, now);
}

/** Saves a run whole (an import, a first save, or after rows were dropped) as a new generation of chunks. */
async function saveWhole(run: LiveRun, record: RecordBuffer | null): Promise<void> {
  const id = run.meta.id;
  const now = track(run, record, 0, 1); // counted before the first await, as in saveRunGoing
  const before = await heads!.get<Partial<RunHead>>(id);
  const old = before?.layout === 'chunks' ? { generation: before.generation ?? 0, chunks: before.chunks ?? 0 } : null;
  const generation = (now.generation = (old?.generation ?? 0) + 1);
  const chunk: RunChunk = {
    steps: rows(run.steps, 0, now.stepsRows), evals: rows(run.evals, 0, now.evalsRows), rewards: rows(run.rewards, 0, now.rewardsRows),
    record: record ? record.slice(0, now.recordBytes) : null,
  };
  await chunks!.set(chunkKey(id, generation, 0), chunk);
  await heads!.set(id, head(run, generation, 1));
  written.set(id, now);
  if (old) for (let k = 0; k < old.chunks; k++) await chunks!.del(chunkKey(id, old.generation, k));
}

/** Saves a stored run whole (an imported run file). */
export async function saveRun(run: StoredRun, record: RecordBuffer | null): Promise<void> {
  if (!heads || !chunks) return;
  written.delete(run.meta.id);
  await saveWhole({ meta: run.meta, steps: run.steps, evals: run.evals, rewards: run.rewards ?? emptyRewards(), recordStep: run.recordStep }, record);
}

/** A stored run that no longer validates: listed with its reason and a Delete, never rendered. */
export interface DamagedRun {
  key: string;
  name: string;
  reason: string;
}

/** Every stored run, each validated (runFile.ts): the good ones, and the damaged ones apart. */
export async function loadRunsChecked(): Promise<{ runs: StoredRun[]; damaged: DamagedRun[] }> {
  const runs: StoredRun[] = [];
  const damaged: DamagedRun[] = [];
  if (!heads) return { runs, damaged };
  for (const [key, stored] of await heads.entries()) {
    try {
      const value = (stored as Partial<RunHead> | null)?.layout === 'chunks' ? await assemble(String(key), stored as RunHead) : stored;
      const record = (value as { record?: unknown } | null)?.record;
      if (record !== null && record !== undefined && !(record instanceof Uint8Array)) throw new InvalidFileError('saved run', 'record', 'bytes or null', typeof record);
      runs.push(validateStoredRun(value, 'saved run', (record as Uint8Array | null | undefined) ?? null));
    } catch (e) {
      const name = (stored as { meta?: { name?: unknown } } | null)?.meta?.name;
      damaged.push({ key: String(key), name: typeof name === 'string' ? name : String(key), reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return { runs: runs.sort((a, b) => a.meta.createdAt - b.meta.createdAt), damaged };
}

export async function deleteRun(id: string): Promise<void> {
  written.delete(id);
  if (!heads || !chunks) return;
  const before = await heads.get<Partial<RunHead>>(id);
  await heads.del(id);
  if (before?.layout === 'chunks') for (let k = 0; k < (before.chunks ?? 0); k++) await chunks.del(chunkKey(id, before.generation ?? 0, k));
}

/** A chunked run as one StoredRun (then validated like any other). */
async function assemble(id: string, h: RunHead): Promise<Record<string, unknown>> {
  const steps = emptySteps();
  const evals = emptyEvals();
  const rewards = emptyRewards();
  const record: Uint8Array[] = [];
  for (let k = 0; k < h.chunks; k++) {
    const c = await chunks!.get<RunChunk>(chunkKey(id, h.generation, k));
    if (!c) throw new InvalidFileError('saved run', `chunk ${k} of ${h.chunks}`, 'present', 'missing');
    appendRows(steps, c.steps);
    appendRows(evals, c.evals);
    appendRows(rewards, c.rewards);
    if (c.record) record.push(c.record);
  }
  const bytes = record.length ? new Uint8Array(record.reduce((n, r) => n + r.length, 0)) : null;
  let at = 0;
  for (const r of record) {
    bytes!.set(r, at);
    at += r.length;
  }
  return { version: 1, meta: h.meta, steps, evals, rewards, record: bytes, recordStep: h.recordStep };
}

function head(run: LiveRun, generation: number, count: number): RunHead {
  return { version: 1, layout: 'chunks', meta: run.meta, recordStep: run.recordStep, generation, chunks: count };
}

function track(run: LiveRun, record: RecordBuffer | null, generation: number, count: number): Written {
  return {
    generation, chunks: count,
    steps: run.steps, stepsRows: run.steps.step.length, stepsCuts: cutsOf(run.steps),
    evals: run.evals, evalsRows: run.evals.step.length,
    rewards: run.rewards, rewardsRows: run.rewards.step.length, rewardsCuts: cutsOf(run.rewards),
    record, recordBytes: record?.length ?? 0,
  };
}

function chunkKey(id: string, generation: number, k: number): string {
  return `${id}/${generation}/${k}`;
}

/** Rows `from` to `to` (exclusive) of a column series. */
function rows<T extends object>(series: T, from: number, to: number): T {
  return Object.fromEntries(Object.entries(series).map(([k, column]) => [k, (column as unknown[]).slice(from, to)])) as T;
}

function appendRows<T extends object>(into: T, rows: T | undefined): void {
  if (!rows) return;
  for (const [k, column] of Object.entries(into)) {
    const more = (rows as Record<string, unknown[] | undefined>)[k];
    if (more) for (const v of more) (column as unknown[]).push(v);
  }
}
