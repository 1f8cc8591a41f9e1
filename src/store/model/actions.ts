// Model actions: WebGPU detection, the memory estimate before loading, loading with progress.
import type { LoadModelRequest, ModelSource } from '../../engine/api';
import { hubRepoIdProblem } from '../../engine/model/loaders/hubRepoId';
import { engine, hasEngine, startEngine } from '../engineBridge';
import { getState, setState } from '../state';
import { BACKEND_KEY } from './slice';
import type { BackendChoice } from '../../engine/config/options';
import { userError } from '../userError';
import type { SavedModelSource } from '../runTypes';
import { applyTaskToEngine } from '../task/actions';

/**
 * Starts the engine on the chosen backend: 'auto' takes WebGPU when the browser gives an adapter
 * and the CPU backend otherwise (the header and a banner say so). Only an explicit 'webgpu' choice
 * without an adapter leaves the engine stopped (status 'no-webgpu', with a way to switch).
 */
export async function boot(): Promise<void> {
  await startEngine();
  if (getState().engineStatus === 'ready') void refreshEstimate();
}

/** Saves the backend choice and restarts the engine on it; the model loads again when needed. */
export async function setBackendChoice(choice: BackendChoice): Promise<void> {
  try {
    globalThis.localStorage?.setItem(BACKEND_KEY, choice);
  } catch {
    // A browser without storage still switches for this visit.
  }
  const { activeRunId, runs } = getState();
  if (activeRunId && runs[activeRunId]?.meta.state === 'running') {
    setState({ notice: { tone: 'error', text: 'Pause the run before switching the backend: the engine restarts on the new one.' } });
    return;
  }
  setState({ backendChoice: choice, modelStatus: 'idle', summary: null, taskApplied: false, taskSummary: null, memory: null, estimate: null });
  await boot();
}

/** The engine request the model panel describes. Only here does the Hub token leave the store. */
export function modelRequest(): LoadModelRequest {
  const s = getState();
  let source: ModelSource;
  if (s.sourceKind === 'hub') {
    source = { kind: 'hub', repo: s.hubRepo.trim(), ...(s.hubRevision.trim() ? { revision: s.hubRevision.trim() } : {}), ...(s.hubToken ? { token: s.hubToken } : {}) };
  } else if (s.sourceKind === 'files') source = { kind: 'files', files: s.files };
  else source = { kind: 'demo' };
  return { source, precision: s.precision, maxBatch: s.config.batch, maxSeqLen: s.maxSeqLen };
}

/** The same source in the form a run record or a URL may hold. */
export function savedSource(): SavedModelSource {
  const s = getState();
  if (s.sourceKind === 'hub') return { kind: 'hub', repo: s.hubRepo.trim(), ...(s.hubRevision.trim() ? { revision: s.hubRevision.trim() } : {}) };
  if (s.sourceKind === 'files') return { kind: 'files', label: filesLabel(s.files) };
  return { kind: 'demo' };
}

export function filesLabel(files: File[]): string {
  if (files.length === 0) return 'no files';
  if (files.length === 1) return files[0].name;
  const folder = (files[0] as File & { webkitRelativePath?: string }).webkitRelativePath?.split('/')[0];
  return folder ? `${folder}/ (${files.length} files)` : `${files.length} files`;
}

export function modelSourceReady(): boolean {
  const s = getState();
  if (s.sourceKind === 'hub') return hubRepoIdProblem(s.hubRepo) === null;
  if (s.sourceKind === 'files') return s.files.length > 0;
  return true;
}

let estimateTicket = 0;
/** Asks the engine what loading would take on this adapter; debounced by the caller's typing. */
export async function refreshEstimate(): Promise<void> {
  if (!hasEngine() || !modelSourceReady()) {
    setState({ estimate: null, estimateError: null });
    return;
  }
  const ticket = ++estimateTicket;
  try {
    const estimate = await engine().estimateMemory(modelRequest());
    if (ticket === estimateTicket) setState({ estimate, estimateError: null });
  } catch (error) {
    if (ticket === estimateTicket) setState({ estimate: null, estimateError: userError(error) });
  }
}

let estimateTimer: ReturnType<typeof setTimeout> | undefined;
export function scheduleEstimate(): void {
  clearTimeout(estimateTimer);
  estimateTimer = setTimeout(() => void refreshEstimate(), 400);
}

/**
 * Loads the model the panel describes; the task, if one is chosen, is set on the engine after.
 * A malformed Hub id is refused here, before any request. A load that fails leaves the model
 * loaded before it in place (the engine swaps models only once the new one is built), so the
 * panel keeps showing it, with the error beside it.
 */
export async function loadModel(): Promise<boolean> {
  if (!hasEngine()) return false;
  const before = getState();
  const repoProblem = before.sourceKind === 'hub' ? hubRepoIdProblem(before.hubRepo) : null;
  if (repoProblem) {
    setState({ modelError: { kind: 'invalid-repo-id', message: repoProblem } });
    return false;
  }
  const kept = { summary: before.summary, modelStatus: before.modelStatus, taskApplied: before.taskApplied, taskSummary: before.taskSummary };
  setState({ modelStatus: 'loading', modelError: null, progress: null, summary: null, taskApplied: false, taskSummary: null });
  try {
    const summary = await engine().loadModel(modelRequest());
    setState({ summary, modelStatus: 'ready' });
    void refreshMemory();
    if (getState().parsed) await applyTaskToEngine();
    return true;
  } catch (error) {
    const stillLoaded = kept.modelStatus === 'ready' && kept.summary !== null;
    setState({
      modelError: userError(error),
      ...(stillLoaded ? { summary: kept.summary, modelStatus: 'ready' as const, taskApplied: kept.taskApplied, taskSummary: kept.taskSummary } : { modelStatus: 'error' as const }),
    });
    return false;
  }
}

export async function refreshMemory(): Promise<void> {
  if (!hasEngine()) return;
  try {
    setState({ memory: await engine().memory() });
  } catch {
    // The memory view is informative only; a failure here is shown by the next real action.
  }
}

export function setModelField<K extends 'sourceKind' | 'hubRepo' | 'hubRevision' | 'hubToken' | 'files' | 'precision' | 'maxSeqLen'>(
  key: K,
  value: ReturnType<typeof getState>[K],
): void {
  // The last load's error was about the previous choice; a new one starts clean.
  setState({ [key]: value, modelError: null } as Pick<ReturnType<typeof getState>, K | 'modelError'>);
  scheduleEstimate();
}
