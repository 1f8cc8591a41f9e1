// Runs and uploaded tasks in IndexedDB (idb-keyval, one database per kind), run files for
// export/import, and run configurations as share URLs. Nothing secret is ever written: model
// sources are SavedModelSource, which has no token.
import { createStore, del, entries, get, set, values } from 'idb-keyval';
import type { BlockScaleProfile, TrainConfig } from '../engine/api';
import type { Task } from '../engine/data/task';
import { FieldReader } from '../engine/files/fields';
import { parseJsonFile } from '../engine/files/invalidFile';
import { validateStoredRun } from './runFile';
import { loadRunsChecked, type DamagedRun } from './runStore';
import type { StoredRun } from './runTypes';
import type { UploadDraft } from './task/slice';

const taskStore = typeof indexedDB === 'undefined' ? undefined : createStore('zo-studio-tasks', 'tasks');
const scaleStore = typeof indexedDB === 'undefined' ? undefined : createStore('zo-studio-block-scales', 'profiles');
const uploadStore = typeof indexedDB === 'undefined' ? undefined : createStore('zo-studio-uploads', 'uploads');

/** An uploaded file as the user left it: the file, its column mapping and labels, and its template. */
export interface SavedUpload {
  version: 1;
  name: string;
  draft: UploadDraft;
  template: string;
  savedAt: number;
}

export async function saveUpload(upload: SavedUpload): Promise<void> {
  await set(upload.name, upload, uploadStore);
}

export async function loadUpload(name: string): Promise<SavedUpload | undefined> {
  const saved = await get<SavedUpload>(name, uploadStore);
  return saved?.version === 1 ? saved : undefined;
}

/** Names of the saved uploads, alphabetical. */
export async function listUploads(): Promise<string[]> {
  const all = (await values<SavedUpload>(uploadStore)).filter((u) => u?.version === 1);
  return all.map((u) => u.name).sort((a, b) => a.localeCompare(b));
}

/** Forgets an upload and the task saved from it. */
export async function deleteUpload(name: string): Promise<void> {
  await del(name, uploadStore);
  await del(name, taskStore);
}

/** Learned block variances, one per model + tuning mode (actions/blockScales.ts profileKey). */
export async function saveBlockProfile(key: string, profile: BlockScaleProfile): Promise<void> {
  await set(key, profile, scaleStore);
}

/** Saved profiles; one that no longer validates (every block a name and a scale > 0) is left out, to be learned again. */
export async function loadBlockProfiles(): Promise<Record<string, BlockScaleProfile>> {
  const out: Record<string, BlockScaleProfile> = {};
  for (const [key, profile] of await entries<string, unknown>(scaleStore)) {
    try {
      out[key] = validateBlockProfile(profile, `saved block variances ${key}`);
    } catch (e) {
      console.warn(`${(e as Error).message} It is ignored; learn the block variances again.`);
    }
  }
  return out;
}

function validateBlockProfile(raw: unknown, file: string): BlockScaleProfile {
  const f = new FieldReader(file);
  const p = f.object(raw, 'the profile');
  f.string(p.model, 'model');
  f.oneOf(p.mode, 'mode', ['full', 'lora', 'sparse'] as const);
  f.array(p.blocks, 'blocks').forEach((b, i) => {
    const block = f.object(b, `blocks[${i}]`);
    f.string(block.name, `blocks[${i}].name`, true);
    f.number(block.scale, `blocks[${i}].scale`, { above: 0 });
  });
  return p as unknown as BlockScaleProfile;
}

// Runs are written as they train, in chunks (runStore.ts).
export { deleteRun, loadRunsChecked, type DamagedRun } from './runStore';

export async function loadRuns(): Promise<StoredRun[]> {
  return (await loadRunsChecked()).runs;
}

export async function loadDamagedRuns(): Promise<DamagedRun[]> {
  return (await loadRunsChecked()).damaged;
}

export async function saveUploadedTask(task: Task): Promise<void> {
  await set(task.spec.name, task, taskStore);
}

export async function loadUploadedTask(name: string): Promise<Task | undefined> {
  return get<Task>(name, taskStore);
}

/** A run file: JSON with the record bytes as base64. */
export function exportRunFile(run: StoredRun): Blob {
  const json = JSON.stringify({ format: 'zo-studio-run', ...run, record: run.record ? toBase64(run.record) : null });
  return new Blob([json], { type: 'application/json' });
}

/** Reads and fully validates a run file before anything is saved (runFile.ts). */
export async function importRunFile(file: Blob & { name?: string }): Promise<StoredRun> {
  const name = file.name || 'run file';
  const parsed = parseJsonFile(await file.text(), name);
  const f = new FieldReader(name);
  const o = f.object(parsed, 'the file');
  if (o.format !== 'zo-studio-run') f.fail('format', '"zo-studio-run" (a .zo-run.json file exported from ZO Studio)', o.format);
  let record: Uint8Array | null = null;
  if (o.record !== null && o.record !== undefined) {
    const text = f.string(o.record, 'record');
    try {
      record = fromBase64(text);
    } catch {
      f.fail('record', 'base64 text', o.record);
    }
  }
  const { format: _format, ...rest } = o;
  void _format;
  return validateStoredRun(rest, name, record);
}

/** The URL that reopens the app with this configuration (and model/task choice) filled in. */
export function shareUrl(base: string, shared: SharedConfig): string {
  const url = new URL(base);
  url.hash = `config=${encodeURIComponent(JSON.stringify(shared))}`;
  return url.toString();
}

export interface SharedConfig {
  config: TrainConfig;
  task?: string;
  model?: { kind: 'demo' } | { kind: 'hub'; repo: string; revision?: string };
  precision?: string;
}

export function readSharedConfig(hash: string): SharedConfig | null {
  const match = /config=([^&]+)/.exec(hash);
  if (!match) return null;
  try {
    const parsed = JSON.parse(decodeURIComponent(match[1])) as SharedConfig;
    return parsed && typeof parsed.config === 'object' ? parsed : null;
  } catch {
    return null;
  }
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
