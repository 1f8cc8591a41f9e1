// Training actions: config and presets, start / pause / resume / stop, evaluate now, the loss
// along a direction, and recovery after a lost device. Every run is registered (and saved)
// before the engine starts it, so nothing the user made exists only inside the worker.
import type { TrainConfig } from '../../engine/api';
import { BUILTIN_TASKS } from '../../engine/data/registry';
import { applyPresetTo, PRESETS, withOptionBlocks } from '../../engine/config';
import { engine, hasEngine, resetRate, startEngine } from '../engineBridge';
import { readSharedConfig } from '../persistence';
import { validateTrainConfig } from '../../engine/zo/validateConfig';
import { describeSource, preferenceObjective, type RunMeta } from '../runTypes';
import { appendEval, emptyEvals, emptyRewards, emptySteps } from '../series';
import { getState, setState, useStudio } from '../state';
import { userError } from '../userError';
import type { LaunchPhase } from './slice';
import { loadModel, modelRequest, refreshMemory, savedSource, setModelField } from '../model/actions';
import { addRun, scheduleSave } from '../runs/actions';
import { hasRecord, savedRecord } from '../runs/records';
import { applyTaskToEngine, selectTask } from '../task/actions';

export function setConfig(patch: Partial<TrainConfig>): void {
  const next = { ...getState().config, ...patch };
  // Learned block variances name the tensors of one mode and subset: another set drops them.
  if (!('blockScales' in patch) && ['mode', 'full', 'lora', 'sparse'].some((k) => k in patch)) next.blockScales = undefined;
  setState({ config: completeConfig(next), preset: null });
}

/**
 * Fills in the options block of the chosen mode and objective, so a run stores every setting it
 * trained with (the task picker sets the objective without passing through setConfig).
 */
export function completeConfig(c: TrainConfig): TrainConfig {
  return withOptionBlocks(c);
}

export function applyPreset(name: string): void {
  const preset = PRESETS.find((p) => p.name === name);
  if (!preset) return;
  // A preset starts from MeZO's isotropic perturbation: learned block variances are switched on again by hand.
  setState({ config: applyPresetTo({ ...getState().config, blockScales: undefined }, preset), preset: name });
}

/** Model and task on the engine, loading/applying whatever is missing. */
export async function ensureReady(): Promise<boolean> {
  const s = getState();
  if (!hasEngine()) return false;
  if (s.modelStatus !== 'ready' && !(await loadModel())) return false;
  if (!getState().parsed) await selectTask(getState().taskChoice);
  if (!getState().taskApplied && !(await applyTaskToEngine())) {
    const taskError = getState().taskError;
    if (taskError) setState({ trainError: { kind: 'task', message: `Fix the task first: ${taskError.message}` } });
    return false;
  }
  return true;
}

/** Says at once what a click on Start is waiting for, before the run exists (launch.ts phases). */
function launching(phase: LaunchPhase, runId: string | null = null): void {
  setState({ launch: { phase, runId, since: getState().launch?.since ?? performance.now() } });
}

/** Model and task ready for a run, with the launch line following along; false when either failed. */
async function prepareLaunch(): Promise<boolean> {
  setState({ launch: null });
  const s = getState();
  launching(s.modelStatus === 'ready' ? 'task' : 'model');
  const unsubscribe = useStudio.subscribe((now, before) => {
    if (before.modelStatus !== 'ready' && now.modelStatus === 'ready' && now.launch?.phase === 'model') launching('task');
  });
  try {
    const ready = await ensureReady();
    if (!ready) setState({ launch: null });
    return ready;
  } finally {
    unsubscribe();
  }
}

/** Bumped by Reset: a start still loading its model or task when Reset is pressed does not go on. */
let launchGeneration = 0;

/** One click: load what is missing and start a new run with the current config. `maxSteps`: pause after that many steps. */
export async function startRun(maxSteps?: number): Promise<void> {
  setState({ trainError: null, interrupted: null });
  const generation = launchGeneration;
  if (!(await prepareLaunch())) return;
  if (generation !== launchGeneration) return setState({ launch: null });
  const s = getState();
  const parsed = s.parsed!;
  const config = completeConfig(s.config);
  const id = crypto.randomUUID();
  const now = Date.now();
  const meta: RunMeta = {
    id,
    // Preference runs name their objective: DPO and ZOPrO runs on one task look alike otherwise.
    name: `${parsed.spec.name}${preferenceObjective(config) ? ` · ${config.objective}` : ''} · ${config.mode} · lr ${config.lr} · #${s.runOrder.length + 1}`,
    createdAt: now,
    updatedAt: now,
    config,
    model: { source: savedSource(), precision: s.precision, name: s.summary?.name ?? describeSource(savedSource()), maxSeqLen: s.maxSeqLen },
    // Only a built-in task can be named in a share link; an upload or a saved task travels as its spec.
    task: { name: parsed.spec.name, demo: !s.upload && BUILTIN_TASKS.some((t) => t.name === s.taskChoice), spec: parsed.spec },
    state: 'running',
  };
  addRun({ meta, steps: emptySteps(), evals: emptyEvals(), rewards: emptyRewards(), recordStep: 0, version: 0 });
  setState({ activeRunId: id });
  scheduleSave(id);
  await drive(id, config, undefined, maxSteps);
}

/** Runs the engine's train call for `id`; resolves when it pauses, stops, finishes or fails. */
async function drive(id: string, config: TrainConfig, resumeFrom?: Uint8Array, maxSteps?: number): Promise<void> {
  resetRate();
  markState(id, 'running');
  // The engine builds the run's pipelines (or replays its record) before the first step.
  launching('kernels', id);
  try {
    await engine().train(id, config, resumeFrom, maxSteps);
  } catch (error) {
    const e = userError(error);
    markState(id, 'failed', e.message);
    if (e.kind !== 'terminated') setState({ trainError: e });
  }
  if (getState().launch?.runId === id) setState({ launch: null });
  scheduleSave(id);
  void refreshMemory();
}

function markState(id: string, state: RunMeta['state'], error?: string): void {
  const run = getState().runs[id];
  if (!run) return;
  setState({ runs: { ...getState().runs, [id]: { ...run, meta: { ...run.meta, state, error, updatedAt: Date.now() } } } });
}

export async function pauseRun(): Promise<void> {
  const id = getState().activeRunId;
  if (id && hasEngine()) await engine().pause(id);
}

export async function stopRun(): Promise<void> {
  const id = getState().activeRunId;
  if (id && hasEngine()) await engine().stop(id);
}

/** Why a run cannot be resumed here, or null when it can. */
export function resumeBlocker(runId: string): string | null {
  const s = getState();
  const run = s.runs[runId];
  if (!run) return 'Unknown run.';
  if (run.meta.state === 'running') return 'Already running.';
  if (run.meta.state === 'finished') return 'This run finished.';
  if (s.heldRunId !== runId && !hasRecord(runId) && run.steps.step.length > 0) return 'No checkpoint record was saved for this run.';
  if (run.meta.model.source.kind === 'files' && s.modelStatus !== 'ready') return `Load the model files (${run.meta.model.source.label}) first.`;
  if (run.meta.model.source.kind === 'hub' && (s.sourceKind !== 'hub' || s.hubRepo.trim() !== run.meta.model.source.repo)) {
    return `Load ${describeSource(run.meta.model.source)} in the model panel first.`;
  }
  if (s.activeRunId && s.runs[s.activeRunId]?.meta.state === 'running') return 'Pause the running run first.';
  return null;
}

/** Continues a run from its last saved record, loading its model and task if needed. `maxSteps`: pause after that many steps. */
export async function resumeRun(runId: string, maxSteps?: number): Promise<void> {
  const blocker = resumeBlocker(runId);
  if (blocker) return setState({ trainError: { kind: 'resume', message: blocker } });
  const run = getState().runs[runId];
  setState({ trainError: null, activeRunId: runId, config: run.meta.config, interrupted: null });
  const s = getState();
  const sameModel = s.modelStatus === 'ready' && s.precision === run.meta.model.precision && (run.meta.model.source.kind !== 'demo' || s.sourceKind === 'demo');
  if (!sameModel) {
    if (run.meta.model.source.kind === 'demo') setModelField('sourceKind', 'demo');
    setModelField('precision', run.meta.model.precision);
    setModelField('maxSeqLen', run.meta.model.maxSeqLen);
    setState({ modelStatus: 'idle' });
  }
  if (s.parsed?.spec.name !== run.meta.task.name || s.template !== run.meta.task.spec.prompt_template) {
    await selectTask(run.meta.task.name);
    setState({ parsed: getState().parsed && { ...getState().parsed!, spec: run.meta.task.spec }, template: run.meta.task.spec.prompt_template, taskApplied: false });
  }
  if (!(await prepareLaunch())) return;
  // The engine continues in place when it still holds this run (EngineEvent 'run-held') and
  // replays the record otherwise. It receives its own copy: the transfer detaches it.
  const record = savedRecord(runId);
  await drive(runId, run.meta.config, record ? record.slice() : undefined, maxSteps);
}

/** One step, then pause: the active run continues by one step, or a new run makes its first. */
export async function stepOnce(): Promise<void> {
  const { activeRunId, runs } = getState();
  const run = activeRunId ? runs[activeRunId] : undefined;
  if (run?.meta.state === 'running') return;
  if (run && run.meta.state !== 'finished' && resumeBlocker(run.meta.id) === null) return resumeRun(run.meta.id, 1);
  return startRun(1);
}

/**
 * Back to the start for another demo: stops the active run (it stays in the runs list) and clears
 * the charts; the next run starts from the loaded model's weights, as every new run does.
 */
export async function resetRun(): Promise<void> {
  launchGeneration++;
  const { activeRunId, runs } = getState();
  if (activeRunId && runs[activeRunId]?.meta.state === 'running' && hasEngine()) await engine().stop(activeRunId);
  setState({ activeRunId: null, compare: [], curve: null, launch: null, trainError: null, interrupted: null, stepsPerSecond: null });
}

export async function evaluateNow(): Promise<void> {
  if (!(await ensureReady())) return;
  const { config, activeRunId } = getState();
  setState({ evaluating: true, trainError: null });
  try {
    const metrics = await engine().evaluate(config.evalSplit, config.evalLimit);
    const run = activeRunId ? getState().runs[activeRunId] : undefined;
    if (run) {
      appendEval(run.evals, metrics);
      setState({ runs: { ...getState().runs, [run.meta.id]: { ...run, version: run.version + 1 } } });
      scheduleSave(run.meta.id);
    }
  } catch (error) {
    setState({ trainError: userError(error) });
  } finally {
    setState({ evaluating: false });
  }
}

/** L(θ + a·d) for a in [−k·ε, k·ε] (the engine takes k, in multiples of the run's ε). */
export async function probeLossCurve(direction: 'perturbation' | 'last-update', k: number): Promise<void> {
  if (!hasEngine() || getState().modelStatus !== 'ready') return;
  setState({ curveStatus: 'loading', curveError: null });
  try {
    const curve = await engine().lossAlongDirection(direction, k, 21);
    setState({ curve, curveStatus: 'idle' });
  } catch (error) {
    setState({ curveStatus: 'error', curveError: userError(error).message });
  }
}

/** After a lost device: a fresh engine, the same model and task, and the run from its last record. */
export async function recoverFromDeviceLost(): Promise<void> {
  const { activeRunId, runs } = getState();
  const wasRunning = activeRunId && runs[activeRunId]?.meta.state === 'running' ? activeRunId : null;
  if (activeRunId && wasRunning) markState(activeRunId, 'paused');
  setState({ deviceLost: null, modelStatus: 'idle', summary: null, taskApplied: false, taskSummary: null, memory: null });
  await startEngine();
  if (!hasEngine()) return;
  if (!(await loadModel())) return;
  if (wasRunning) await resumeRun(wasRunning);
}

/** Fills the form from a shared URL (#config=...). Only known keys are taken. */
export async function applySharedUrl(hash: string): Promise<void> {
  const shared = readSharedConfig(hash);
  if (!shared) return;
  let config: TrainConfig;
  try {
    // A link is a file from someone else: its config is checked field by field before it is used.
    config = validateTrainConfig({ ...getState().config, ...shared.config }, 'shared link', 'config');
  } catch (error) {
    return setState({ notice: { tone: 'error', text: `${userError(error).message} The link's configuration was not applied.` } });
  }
  setState({ config, preset: null });
  if (shared.model?.kind === 'hub') {
    setState({ sourceKind: 'hub', hubRepo: shared.model.repo, hubRevision: shared.model.revision ?? '' });
  }
  if (shared.precision === 'f32' || shared.precision === 'f16' || shared.precision === 'q8' || shared.precision === 'q4') setState({ precision: shared.precision });
  if (shared.task) await selectTask(shared.task);
  setState({ notice: { tone: 'info', text: 'Configuration loaded from the shared link.' } });
}

export { modelRequest };
