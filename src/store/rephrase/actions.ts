// OAT-Rephrase job actions, outside React: start, cancel, open a saved job and resume it after
// a reload, review overrides, retry failed rows. The job persists itself in IndexedDB
// (createIdbStore); an index next to the jobs lists them per task. The key comes from the
// settings (memory) or KeyVault (./settings.ts) and is only handed to the job at runtime.
import { loadBuiltinTask, type Task } from '../../engine/data';
import { RephraseJob, createIdbStore, namespaced, unknownVariables, type JobMeta, type KeyValueStore, type RephraseEvent, type RowRecord } from '../../rephrase';
import { selectRows } from '../../rephrase/rows';
import { loadUploadedTask } from '../persistence';
import { getRephrase, setRephrase, type JobIndexEntry, type RephraseSettings } from './slice';
import { judgeKey, keys, savePublicSettings, storeKeys } from './settings';
import { getState } from '../state';

const hasIdb = typeof indexedDB !== 'undefined';
let jobsDb: KeyValueStore | null = null;
const db = (): KeyValueStore => (jobsDb ??= createIdbStore('zo-studio-rephrase', 'jobs'));
const jobStore = (id: string): KeyValueStore => namespaced(db(), `job/${id}`);

let job: RephraseJob | null = null;
let jobEntryId: string | null = null;
let unsubscribe: (() => void) | null = null;

/** The open job (the task actions build the rephrased task from it). */
export function currentJob(): RephraseJob | null {
  return job;
}

// ---- saved jobs ----

let indexWrites: Promise<unknown> = Promise.resolve();

async function readIndex(): Promise<JobIndexEntry[]> {
  return (await db().get<JobIndexEntry[]>('index')) ?? [];
}

/** Read-modify-write of the index, one at a time. */
function updateIndex(change: (list: JobIndexEntry[]) => JobIndexEntry[]): Promise<void> {
  const next = indexWrites.then(async () => db().set('index', change(await readIndex())));
  indexWrites = next.catch(() => undefined);
  return next;
}

/** The saved jobs of a task (and of the task it was rephrased from), newest first. */
export async function refreshSavedJobs(taskName: string | undefined): Promise<void> {
  if (!hasIdb || !taskName) return setRephrase({ savedJobs: [] });
  const source = taskName.replace(/-rephrased$/, '');
  const list = await readIndex().catch(() => []);
  setRephrase({ savedJobs: list.filter((e) => e.taskName === taskName || e.taskName === source).sort((a, b) => b.createdAt - a.createdAt) });
}

function entryStats(j: RephraseJob): Pick<JobIndexEntry, 'total' | 'accepted' | 'rejected' | 'failed' | 'pending' | 'status' | 'updatedAt'> {
  const p = j.progress();
  return { total: p.total, accepted: p.accepted, rejected: p.rejected, failed: p.failed, pending: p.pending, status: j.status, updatedAt: Date.now() };
}

async function saveEntry(id: string, j: RephraseJob): Promise<void> {
  await updateIndex((list) => list.map((e) => (e.id === id ? { ...e, ...entryStats(j) } : e)));
  await refreshSavedJobs(getState().parsed?.spec.name);
}

// ---- the job ----

let pendingRows = new Map<string, RowRecord>();
let flushTimer: ReturnType<typeof setTimeout> | null = null;

/** Row events arrive in bursts: the table gets them at most every 100 ms. */
function flushRows(): void {
  flushTimer = null;
  if (!job || pendingRows.size === 0) return;
  const updates = pendingRows;
  pendingRows = new Map();
  setRephrase({ rows: getRephrase().rows.map((r) => updates.get(r.key) ?? r), progress: job.progress() });
}

function onEvent(e: RephraseEvent): void {
  if (e.kind === 'row') {
    pendingRows.set(e.row.key, e.row);
    flushTimer ??= setTimeout(flushRows, 100);
  } else if (e.kind === 'progress') {
    setRephrase({ progress: e.progress });
  } else if (e.kind === 'retry') {
    const why = `${e.stage} of row ${e.rowKey}: retry ${e.attempt} in ${(e.delayMs / 1000).toFixed(1)} s (${e.message})`;
    setRephrase({ retries: getRephrase().retries + 1, lastRetry: why });
  } else {
    setRephrase({ jobStatus: e.status, jobError: e.error ?? (e.status === 'running' ? null : getRephrase().jobError) });
    if (e.status !== 'running' && e.status !== 'cancelling') {
      flushRows();
      if (jobEntryId && job) void saveEntry(jobEntryId, job);
    }
  }
}

function attach(id: string, j: RephraseJob): void {
  unsubscribe?.();
  job = j;
  jobEntryId = id;
  pendingRows = new Map();
  unsubscribe = j.subscribe(onEvent);
  setRephrase({ jobId: id, jobTask: j.task.spec.name, jobStatus: j.status, jobError: null, rows: j.rows().map((r) => structuredClone(r)), progress: j.progress(), retries: 0, lastRetry: null, usedTask: null, message: null });
}

const busy = (): boolean => job !== null && (job.status === 'running' || job.status === 'cancelling');

function fail(text: string): void {
  setRephrase({ message: { tone: 'error', text } });
}

/** A new job on the current task with the current settings; starts at once. */
export async function startJob(): Promise<void> {
  const parsed = getState().parsed;
  const s = getRephrase().settings;
  if (busy()) return fail('A job is running: cancel it first.');
  if (!parsed) return fail('Pick a task in the task panel first.');
  if (!s.baseUrl.trim() || !s.model.trim()) return fail('Enter the endpoint’s base URL and model name first.');
  const unknown = [...unknownVariables(s.rewriterTemplate), ...unknownVariables(s.judgeTemplate)];
  if (unknown.length) return fail(`Unknown template variables: ${unknown.map((v) => `{${v}}`).join(', ')}.`);
  if (!hasIdb) return fail('This browser has no IndexedDB: a job could not be resumed, so none is started.');
  const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    await storeKeys(s);
    const rewriter = { baseUrl: s.baseUrl.trim(), model: s.model.trim() };
    const judge = { baseUrl: s.judgeBaseUrl.trim() || rewriter.baseUrl, model: s.judgeModel.trim() || rewriter.model };
    const config = { rewriter, judge, mode: s.mode, concurrency: s.concurrency, limit: s.limit, rewriterTemplate: s.rewriterTemplate, judgeTemplate: s.judgeTemplate };
    const task: Task = { spec: parsed.spec, splits: parsed.splits };
    const j = await RephraseJob.open({ task, store: jobStore(id), config, apiKey: s.apiKey || undefined, judgeApiKey: judgeKey(s) });
    const now = Date.now();
    const entry: JobIndexEntry = { id, taskName: task.spec.name, createdAt: now, model: rewriter.model, judgeModel: judge.model, mode: s.mode, limit: s.limit, ...entryStats(j) };
    await updateIndex((list) => [...list, entry]);
    attach(id, j);
    await refreshSavedJobs(parsed.spec.name);
    void j.start();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

export function cancelJob(): void {
  job?.cancel();
}

/** Continues the open job: unfinished rows only (finished rows are never sent again). */
export async function resumeOpenJob(): Promise<void> {
  if (!job || busy()) return;
  const s = getRephrase().settings;
  // The key may have been typed after the job was opened: reopen so the job carries it.
  const id = jobEntryId!;
  await openSavedJob(id, true, s);
}

/** The task a saved job was made from: the current one when it matches, else loaded quietly. */
async function taskNamed(name: string): Promise<Task> {
  const parsed = getState().parsed;
  if (parsed?.spec.name === name) return { spec: parsed.spec, splits: parsed.splits };
  const uploaded = await loadUploadedTask(name);
  if (uploaded) return uploaded;
  const fetchText = async (url: string): Promise<string> => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`Could not fetch ${url} (HTTP ${response.status}).`);
    return response.text();
  };
  const builtin = await loadBuiltinTask(name, `${import.meta.env.BASE_URL}demo-data`, fetchText);
  return { spec: builtin.spec, splits: builtin.splits };
}

/** Opens a saved job (its rows for review); with `resume`, runs its unfinished rows. */
export async function openSavedJob(id: string, resume: boolean, settings = getRephrase().settings): Promise<void> {
  if (busy()) return fail('A job is running: cancel it first.');
  try {
    const store = jobStore(id);
    const meta = await store.get<JobMeta>('meta');
    if (!meta) throw new Error('This job’s saved state is gone (the browser may have cleared site data).');
    const task = await taskNamed(meta.taskName);
    const c = meta.config;
    const sameRewriter = settings.baseUrl.trim() === c.rewriter.baseUrl;
    const apiKey = (sameRewriter && settings.apiKey) || (await keys().getKey(c.rewriter.baseUrl)) || undefined;
    const judgeApiKey = c.judge.baseUrl !== c.rewriter.baseUrl ? (settings.judgeBaseUrl.trim() === c.judge.baseUrl && settings.judgeApiKey) || (await keys().getKey(c.judge.baseUrl)) || undefined : undefined;
    const j = await RephraseJob.open({ task, store, config: c, apiKey, judgeApiKey });
    attach(id, j);
    // The form shows how this job was made (the key fields are left as typed).
    const shown: RephraseSettings = {
      ...getRephrase().settings,
      baseUrl: c.rewriter.baseUrl,
      model: c.rewriter.model,
      judgeBaseUrl: c.judge.baseUrl === c.rewriter.baseUrl ? '' : c.judge.baseUrl,
      judgeModel: c.judge.model === c.rewriter.model ? '' : c.judge.model,
      rewriterTemplate: c.rewriterTemplate,
      judgeTemplate: c.judgeTemplate,
      mode: c.mode,
      concurrency: c.concurrency,
      limit: c.limit,
    };
    setRephrase({ settings: shown });
    savePublicSettings(shown);
    if (resume) void j.start();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

/** Forgets a saved job: its rows, its meta and its index entry. */
export async function deleteSavedJob(id: string): Promise<void> {
  if (jobEntryId === id && busy()) return fail('Cancel the job before deleting it.');
  const store = jobStore(id);
  const meta = await store.get<JobMeta>('meta');
  if (meta) {
    const task = await taskNamed(meta.taskName).catch(() => null);
    if (task) for (const r of selectRows(task, meta.config.splits, meta.config.fields, meta.config.limit)) await store.del(`row/${r.key}`);
    await store.del('meta');
  }
  await updateIndex((list) => list.filter((e) => e.id !== id));
  if (jobEntryId === id) {
    unsubscribe?.();
    job = null;
    jobEntryId = null;
    setRephrase({ jobId: null, jobTask: null, jobStatus: 'idle', rows: [], progress: null });
  }
  await refreshSavedJobs(getState().parsed?.spec.name);
}

/** The reviewer's decision for one row (null: back to the judge's verdict). */
export async function setRowOverride(key: string, value: 'accept' | 'reject' | null): Promise<void> {
  if (!job) return;
  try {
    await job.setOverride(key, value);
    flushRows();
    setRephrase({ progress: job.progress() });
    if (jobEntryId) void saveEntry(jobEntryId, job);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

/** Puts failed rows back in the queue and runs them. */
export async function retryFailedRows(): Promise<void> {
  if (!job || busy()) return;
  await job.retryFailed();
  flushRows();
  void job.start();
}

