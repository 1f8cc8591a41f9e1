// What the rephrased task is for: hand it to training (saved like an uploaded task under
// "<name>-rephrased" and selected through the task actions), export it as task.json + JSONL
// files and import such files back, and the A/B comparison: the training store's startRun on
// the original task, then on the rephrased one, with one config, both curves overlaid.
import { exportReviewJsonl, exportTaskFiles, importTaskFiles, type RephraseJob } from '../../rephrase';
import type { Task } from '../../engine/data';
import { toggleCompare } from '../runs/actions';
import { selectTask } from '../task/actions';
import { setConfig, startRun } from '../training/actions';
import { saveUploadedTask } from '../persistence';
import { getRephrase, setRephrase } from './slice';
import { currentJob } from './actions';
import type { RunState } from '../runTypes';
import { getState, useStudio } from '../state';

export const rephrasedName = (name: string): string => (name.endsWith('-rephrased') ? name : `${name}-rephrased`);

function say(tone: 'info' | 'error', text: string): void {
  setRephrase({ message: { tone, text } });
}

function requireJob(): RephraseJob | null {
  const job = currentJob();
  if (!job) say('error', 'Start or open a rephrase job first.');
  else if (job.status === 'running' || job.status === 'cancelling') {
    say('error', 'Wait for the job to finish (or cancel it) first.');
    return null;
  }
  return job;
}

/** Saves the open job's rephrased task under its own name (never shadowing the original). */
async function saveRephrased(job: RephraseJob): Promise<{ name: string; task: Task; accepted: number }> {
  const built = job.rephrasedTask();
  const name = rephrasedName(job.task.spec.name);
  const task: Task = { spec: { ...built.spec, name, description: `${built.spec.description ?? built.spec.name} (OAT-Rephrase: ${job.config.mode}, rewriter ${job.config.rewriter.model})` }, splits: built.splits };
  await saveUploadedTask(task);
  return { name, task, accepted: job.progress().accepted };
}

/** Makes the rephrased task the current task for training. */
export async function applyRephrasedTask(): Promise<void> {
  const job = requireJob();
  if (!job) return;
  try {
    const { name, task, accepted } = await saveRephrased(job);
    await selectTask(name);
    const s = getState();
    if (s.taskStatus !== 'ready' || s.parsed?.spec.name !== name) throw new Error(s.taskError?.message ?? `Could not select ${name}.`);
    const counts = Object.entries(task.splits).map(([k, v]) => `${v.length} ${k}`).join(' · ');
    setRephrase({ usedTask: name });
    say('info', `Training now uses “${name}” (${counts}; ${accepted} rewritten rows, ${job.config.mode}).`);
  } catch (error) {
    say('error', error instanceof Error ? error.message : String(error));
  }
}

/** The files of the rephrased task (task.json keeps the source task's name) and the review. */
export function exportFiles(): Record<string, string> | null {
  const job = currentJob();
  if (!job) return null;
  return { ...exportTaskFiles(job.rephrasedTask(), job.rows(), job.config), 'review.jsonl': exportReviewJsonl(job.rows()) };
}

export function downloadText(name: string, text: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: name.endsWith('.json') ? 'application/json' : 'application/x-ndjson' }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Reads task.json + split files (an export of this panel or the CLI) and selects the task. */
export async function importRephrasedFiles(files: readonly File[]): Promise<void> {
  try {
    const texts: Record<string, string> = {};
    for (const f of files) texts[f.name] = await f.text();
    const { task, problems } = importTaskFiles(texts);
    const name = rephrasedName(task.spec.name);
    await saveUploadedTask({ spec: { ...task.spec, name }, splits: task.splits });
    await selectTask(name);
    const s = getState();
    if (s.taskStatus !== 'ready') throw new Error(s.taskError?.message ?? `Could not select ${name}.`);
    setRephrase({ usedTask: name });
    const counts = Object.entries(task.splits).map(([k, v]) => `${v.length} ${k}`).join(' · ');
    say('info', `Imported “${name}” (${counts})${problems.length ? `; ${problems.length} rows skipped: ${problems.slice(0, 3).join('; ')}` : ''}. Training now uses it.`);
  } catch (error) {
    say('error', `Import failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The run's state once the engine's last events for it have reached the store. */
function settledState(id: string): Promise<RunState | undefined> {
  const now = (): RunState | undefined => getState().runs[id]?.meta.state;
  const done = (st: RunState | undefined): boolean => st !== 'running' && st !== 'created';
  if (done(now())) return Promise.resolve(now());
  return new Promise((resolve) => {
    const finish = (): void => {
      unsubscribe();
      clearTimeout(timer);
      resolve(now());
    };
    const unsubscribe = useStudio.subscribe(() => {
      if (done(now())) finish();
    });
    const timer = setTimeout(finish, 30_000);
  });
}

/** One training run on `taskName` with the current config; its id, or an error message. */
async function trainOn(taskName: string): Promise<{ id: string } | { error: string }> {
  await selectTask(taskName);
  const s = getState();
  if (s.taskStatus !== 'ready' || s.parsed?.spec.name !== taskName) return { error: s.taskError?.message ?? `Could not select ${taskName}.` };
  const before = new Set(s.runOrder);
  await startRun();
  const after = getState();
  const id = after.activeRunId;
  if (!id || before.has(id)) return { error: after.trainError?.message ?? 'The run did not start.' };
  const state = await settledState(id);
  if (state !== 'finished') return { error: `The ${taskName} run ended ${state ?? 'unexpectedly'}${getState().runs[id]?.meta.error ? `: ${getState().runs[id]!.meta.error}` : ''}; the A/B stopped.` };
  return { id };
}

/** A/B: original, then rephrased, identical seed and settings; both overlaid on the charts. */
export async function runAb(): Promise<void> {
  const job = requireJob();
  if (!job || getRephrase().ab.state === 'running') return;
  const running = getState().activeRunId ? getState().runs[getState().activeRunId!]?.meta.state === 'running' : false;
  if (running) return say('error', 'A training run is in progress: pause or stop it first.');
  try {
    const { name } = await saveRephrased(job);
    const config = structuredClone(getState().config);
    setRephrase({ ab: { state: 'running', arm: 'original', runIds: [] } });
    const a = await trainOn(job.task.spec.name);
    if ('error' in a) throw new Error(a.error);
    if (!getState().compare.includes(a.id)) toggleCompare(a.id);
    // The same config for both arms (selecting a task may adjust the objective).
    if (JSON.stringify(getState().config) !== JSON.stringify(config)) setConfig(config);
    setRephrase({ ab: { state: 'running', arm: 'rephrased', runIds: [a.id] } });
    const b = await trainOn(name);
    if ('error' in b) throw new Error(b.error);
    const acc = (id: string): string => {
      const xs = getState().runs[id]?.evals.accuracy ?? [];
      return xs.length ? `${(xs[xs.length - 1]! * 100).toFixed(1)}%` : 'not measured';
    };
    const text = `A/B done (seed ${config.seed}, ${config.steps} steps, batch ${config.batch}): dev accuracy original ${acc(a.id)}, rephrased ${acc(b.id)}.`;
    setRephrase({ ab: { state: 'done', runIds: [a.id, b.id], text }, usedTask: name });
    say('info', text);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    setRephrase({ ab: { ...getRephrase().ab, state: 'error', text } });
    say('error', text);
  }
}
