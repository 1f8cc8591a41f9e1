// Runs as they persist: every run is written to IndexedDB as it goes (config, metrics and the
// engine's checkpoint record), restored after a reload, exported and imported as files.
// Saves coalesce: at most one in flight per run, and a step that lands during a save triggers
// one more, so a crash loses at most the steps of the save in flight (one step on slow devices).
import { engine, onRunState, onSteps } from '../engineBridge';
import { deleteRunResults } from '../influence/cache';
import { forgetRecord, recordBuffer, savedRecord, setRecord } from './records';
import { deleteRun as dbDelete, exportRunFile, importRunFile, loadRuns, shareUrl } from '../persistence';
import { saveRun, saveRunGoing } from '../runStore';
import { getState, setState } from '../state';
import { userError } from '../userError';
import type { RunView } from './slice';
import type { StoredRun } from '../runTypes';
import { lastStep, rewardsFrom } from '../series';

const inFlight = new Map<string, Promise<void>>();
const dirty = new Set<string>();

export function toStored(run: RunView, record: Uint8Array | null): StoredRun {
  return { version: 1, meta: run.meta, steps: run.steps, evals: run.evals, rewards: run.rewards, record, recordStep: run.recordStep };
}

/** Writes a run now, with the record its events have built (records.ts). */
async function saveNow(runId: string): Promise<void> {
  const current = getState().runs[runId];
  if (!current) return;
  // Writes what is new since the last save (runStore.ts): the cost does not grow with the run.
  await saveRunGoing(current, recordBuffer(runId));
}

export function scheduleSave(runId: string): void {
  if (inFlight.has(runId)) {
    dirty.add(runId);
    return;
  }
  const job = saveNow(runId)
    .catch((error) => setState({ runsError: userError(error) }))
    .finally(() => {
      inFlight.delete(runId);
      if (dirty.delete(runId)) scheduleSave(runId);
    });
  inFlight.set(runId, job);
}

/** Resolves once everything scheduled for this run has been written. */
export async function flushSaves(runId: string): Promise<void> {
  while (inFlight.has(runId)) await inFlight.get(runId);
}

/** Wires persistence to engine events; loads saved runs. Runs left 'running' were interrupted. */
export async function restoreRuns(): Promise<void> {
  onSteps(scheduleSave);
  onRunState((runId) => scheduleSave(runId));
  try {
    const stored = await loadRuns();
    const runs: Record<string, RunView> = { ...getState().runs };
    let interrupted: StoredRun | null = null;
    for (const s of stored) {
      if (s.meta.state === 'running' || s.meta.state === 'created') {
        // Saved while training: the page went away mid-run. The latest such run is offered back.
        if (s.steps.step.length > 0 && (!interrupted || s.meta.updatedAt > interrupted.meta.updatedAt)) interrupted = s;
        s.meta = { ...s.meta, state: 'paused' };
      }
      if (s.record) setRecord(s.meta.id, s.record);
      runs[s.meta.id] = { meta: s.meta, steps: s.steps, evals: s.evals, rewards: rewardsFrom(s.rewards), recordStep: s.recordStep, version: 0 };
    }
    const order = [...new Set([...stored.map((s) => s.meta.id), ...getState().runOrder])];
    setState({ runs, runOrder: order, runsLoaded: true });
    // Its curves go back on the charts at once, from the record, and a banner offers to resume it.
    if (interrupted && !getState().activeRunId) {
      setState({ activeRunId: interrupted.meta.id, interrupted: { runId: interrupted.meta.id, step: lastStep(interrupted.steps) } });
    }
  } catch (error) {
    setState({ runsLoaded: true, runsError: userError(error) });
  }
}

export function addRun(view: RunView, record: Uint8Array | null = null): void {
  if (record) setRecord(view.meta.id, record);
  const s = getState();
  setState({ runs: { ...s.runs, [view.meta.id]: view }, runOrder: s.runOrder.includes(view.meta.id) ? s.runOrder : [...s.runOrder, view.meta.id] });
}

export async function removeRun(runId: string): Promise<void> {
  const before = getState();
  if (before.activeRunId === runId && before.runs[runId]?.meta.state === 'running') return;
  // Gone from storage before it leaves the list: a reload right after the click must not bring the
  // run back (it did when the list changed first and the page reloaded before the delete landed).
  await flushSaves(runId);
  await dbDelete(runId);
  await deleteRunResults(runId); // its influence results go with it
  forgetRecord(runId);
  const s = getState();
  const runs = { ...s.runs };
  delete runs[runId];
  setState({ runs, runOrder: s.runOrder.filter((id) => id !== runId), compare: s.compare.filter((id) => id !== runId), activeRunId: s.activeRunId === runId ? null : s.activeRunId });
}

export function toggleCompare(runId: string): void {
  const { compare } = getState();
  setState({ compare: compare.includes(runId) ? compare.filter((id) => id !== runId) : [...compare, runId] });
}

export async function exportRun(runId: string): Promise<void> {
  const run = getState().runs[runId];
  if (!run) return;
  await flushSaves(runId);
  const blob = exportRunFile(toStored(run, savedRecord(runId)));
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${run.meta.name.replace(/[^\w.-]+/g, '-')}.zo-run.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Imports a run file; a run with the same id as one here gets a fresh id so nothing is overwritten. */
export async function importRun(file: File): Promise<string | null> {
  try {
    const stored = await importRunFile(file);
    const taken = getState().runs[stored.meta.id];
    const id = taken ? crypto.randomUUID() : stored.meta.id;
    const meta = { ...stored.meta, id, name: taken ? `${stored.meta.name} (imported)` : stored.meta.name, state: stored.meta.state === 'running' ? ('paused' as const) : stored.meta.state };
    const rewards = rewardsFrom(stored.rewards);
    // Saved first, listed after: a run the page shows must survive a reload right away.
    if (stored.record) setRecord(id, stored.record);
    await saveRun({ ...stored, meta, rewards }, recordBuffer(id));
    addRun({ meta, steps: stored.steps, evals: stored.evals, rewards, recordStep: stored.recordStep, version: 0 });
    setState({ notice: { tone: 'info', text: `Imported run “${meta.name}”.` } });
    return id;
  } catch (error) {
    setState({ notice: { tone: 'error', text: userError(error).message } });
    return null;
  }
}

/** A URL holding this run's configuration, task and model source; never a token. */
export function runShareUrl(runId: string): string | null {
  const run = getState().runs[runId];
  if (!run) return null;
  const model = run.meta.model.source.kind === 'files' ? undefined : run.meta.model.source;
  return shareUrl(location.href.split('#')[0], { config: run.meta.config, task: run.meta.task.demo ? run.meta.task.name : undefined, model, precision: run.meta.model.precision });
}

/** Downloads the trained weights of the run the engine holds (PEFT adapter, sparse deltas, or model.safetensors). */
export async function downloadWeights(runId: string): Promise<void> {
  try {
    const files = await engine().exportWeights(runId);
    const run = getState().runs[runId];
    const prefix = (run?.meta.name ?? runId).replace(/[^\w.-]+/g, '-');
    for (const f of files) {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([f.bytes as BlobPart]));
      a.download = `${prefix}-${f.name}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    }
  } catch (error) {
    setState({ notice: { tone: 'error', text: userError(error).message } });
  }
}
