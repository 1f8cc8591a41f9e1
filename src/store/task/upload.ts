// Uploaded JSONL / CSV tasks: read a file, propose a column mapping, infer the label set from
// every row, validate under the mapping and template, and keep each upload (file, mapping,
// labels, template) in IndexedDB until the user deletes it. A file that cannot become a task is
// refused with a reason and leaves the current task and its template as they were. Problems that
// every row shares (an unmapped column, a template typo) are said once, before any row is read.
import {
  buildTask,
  defaultLabelWords,
  inferLabels,
  parseCsvRecords,
  parseJsonl,
  splitList,
  unknownTemplateFields,
  validateSpec,
  type LabelSet,
  type ParsedTask,
  type TaskRow,
  type TaskSpec,
} from '../../engine/data';
import { deleteUpload, listUploads, loadUpload, saveUpload, type SavedUpload } from '../persistence';
import { getState, setState } from '../state';
import { userError } from '../userError';
import type { UploadDraft } from './slice';
import { selectTask, syncObjective } from './actions';

const DEFAULT_TEMPLATES = { classification: '{text}\nThe answer is', preference: '{prompt}' } as const;
const FIELDS = { classification: ['text', 'label'], preference: ['prompt', 'chosen', 'rejected'] } as const;
/** Enough of the file to find its columns. */
const HEAD_BYTES = 65536;

/** The task name an upload is saved and listed under. */
export function uploadName(fileName: string): string {
  return fileName.replace(/\.(jsonl|json|csv)$/i, '').replace(/[^\w.-]+/g, '-') || 'uploaded';
}

/** Lists the saved uploads (at start). */
export async function restoreUploads(): Promise<void> {
  try {
    setState({ savedUploads: await listUploads() });
  } catch (error) {
    setState({ uploadRejected: userError(error) });
  }
}

/** The file's columns (CSV header, or the keys of the first JSONL rows), or why there are none. */
function columnsOf(text: string, format: UploadDraft['format']): string[] {
  if (format === 'csv') {
    const { records, error } = parseCsvRecords(text.slice(0, HEAD_BYTES));
    const header = records[0]?.fields.map((f) => f.trim()).filter(Boolean) ?? [];
    if (header.length === 0) throw new Error(error ?? 'the file is empty; a CSV file needs a header line and one line per row');
    return header;
  }
  const head = text.slice(0, HEAD_BYTES).split('\n').slice(0, 5).join('\n');
  const { rows, problems } = parseJsonl(head, 'train');
  const keys = [...new Set(rows.flatMap((r) => (r && typeof r === 'object' && !Array.isArray(r) ? Object.keys(r) : [])))];
  if (keys.length === 0) throw new Error(problems[0]?.message.replace(/^row (\d+)/, 'line $1') ?? 'the file has no rows; a JSONL file needs one JSON object per line');
  return keys;
}

/** Every row of the file as column -> value (for the label inference; validation is buildTask's). */
function rawRows(upload: Pick<UploadDraft, 'format' | 'text'>): TaskRow[] {
  if (upload.format === 'jsonl') return parseJsonl(upload.text, 'train').rows.filter((r): r is TaskRow => !!r && typeof r === 'object' && !Array.isArray(r));
  const { records } = parseCsvRecords(upload.text);
  const header = records[0]?.fields.map((f) => f.trim()) ?? [];
  return records.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r.fields[i]])));
}

/** The label set of the column mapped to 'label', over all rows, and the form's fields for it. */
function labelsFor(upload: Pick<UploadDraft, 'format' | 'text' | 'mapping'>): Pick<UploadDraft, 'found' | 'labels' | 'labelWords'> {
  const column = Object.entries(upload.mapping).find(([, field]) => field === 'label')?.[0];
  if (!column) return { found: null, labels: '', labelWords: '' };
  const found = inferLabels([rawRows(upload)], column);
  return { found, labels: found.values.join(', '), labelWords: defaultLabelWords(found).map((w) => w.trim()).join(', ') };
}

/** A first mapping from the column names: text/sentence/… -> text, label/class/… -> label. */
function guessMapping(columns: string[], type: UploadDraft['type']): Record<string, string> {
  if (type === 'preference') return Object.fromEntries(FIELDS.preference.filter((f) => columns.includes(f)).map((f) => [f, f]));
  const guess = (want: string[]) => columns.find((c) => want.includes(c.toLowerCase())) ?? '';
  const mapping: Record<string, string> = { [guess(['text', 'sentence', 'gloss', 'input', 'question'])]: 'text', [guess(['label', 'labels', 'class', 'target'])]: 'label' };
  delete mapping[''];
  return mapping;
}

/**
 * Reads a picked file. It becomes the current task (saved, and listed next to the others) when
 * it can be one; a file that cannot (unreadable, or every row bad under a complete mapping) is
 * refused with the reason, and the current task and its template stay as they were.
 */
export async function uploadTaskFile(file: File): Promise<void> {
  setState({ uploadRejected: null });
  try {
    const text = await file.text();
    const format: UploadDraft['format'] = /\.csv$/i.test(file.name) ? 'csv' : 'jsonl';
    const columns = columnsOf(text, format);
    const type: UploadDraft['type'] = FIELDS.preference.every((c) => columns.includes(c)) ? 'preference' : 'classification';
    // A file with the current upload's columns (a new version of it) keeps its mapping and edited template.
    const previous = getState().upload;
    const sameShape = !!previous && previous.type === type && Object.keys(previous.mapping).length > 0 && Object.keys(previous.mapping).every((c) => columns.includes(c));
    const mapping = sameShape ? previous.mapping : guessMapping(columns, type);
    const upload: UploadDraft = { fileName: file.name, format, text, columns, mapping, type, ...labelsFor({ format, text, mapping }) };
    const template = sameShape ? getState().template : DEFAULT_TEMPLATES[type];
    const built = buildUploadTask(upload, template);
    // Refused only when the file itself is at fault; with columns still to map it is taken, and
    // the form asks for the mapping.
    if ('error' in built && built.fatal) throw new Error(built.error.replace(/\.$/, ''));
    setState({ upload, taskChoice: 'upload', template, taskApplied: false, taskSummary: null });
    applyBuilt(built);
    persist();
    const name = uploadName(file.name);
    if (!getState().savedUploads.includes(name)) setState({ savedUploads: [...getState().savedUploads, name] });
  } catch (error) {
    const current = getState().upload ? `“${getState().upload!.fileName}”` : 'the current task';
    setState({ uploadRejected: { kind: 'upload', message: `${file.name} was not loaded: ${userError(error).message}. ${current} is unchanged.` } });
  }
}

/** Makes a saved upload the current task, with its mapping, labels and template as left. */
export async function selectUpload(name: string): Promise<void> {
  setState({ uploadRejected: null });
  const saved = await loadUpload(name);
  if (!saved) {
    setState({ uploadRejected: { kind: 'upload', message: `The uploaded task “${name}” is no longer saved in this browser.` }, savedUploads: getState().savedUploads.filter((n) => n !== name) });
    return;
  }
  setState({ upload: saved.draft, taskChoice: 'upload', template: saved.template, taskApplied: false, taskSummary: null, taskError: null });
  applyBuilt(buildUploadTask(saved.draft, saved.template));
}

/** Deletes the current upload from this browser and goes back to the default task. */
export async function deleteCurrentUpload(fallbackTask: string): Promise<void> {
  const upload = getState().upload;
  if (!upload) return;
  const name = uploadName(upload.fileName);
  await deleteUpload(name);
  setState({ savedUploads: getState().savedUploads.filter((n) => n !== name), upload: null });
  await selectTask(fallbackTask);
}

export function updateUpload(patch: Partial<UploadDraft>): void {
  const upload = getState().upload;
  if (!upload) return;
  let next = { ...upload, ...patch };
  // A new label column (or task type) brings its own label set.
  const labelColumn = (u: UploadDraft) => Object.entries(u.mapping).find(([, f]) => f === 'label')?.[0];
  if ('mapping' in patch && labelColumn(next) !== labelColumn(upload)) next = { ...next, ...labelsFor(next) };
  setState({ upload: next, taskApplied: false });
  buildUpload();
}

/** Re-validates the current upload under its mapping and the template; saves it. */
export function buildUpload(): void {
  const { upload, template } = getState();
  if (!upload) return;
  applyBuilt(buildUploadTask(upload, template));
  persist();
}

/** An upload under a template: the task, or the one reason it is not one yet. `fatal`: the
 *  file itself is at fault (no valid row under a complete mapping), so a new file is refused. */
type Built = { parsed: ParsedTask } | { error: string; fatal: boolean };

function applyBuilt(built: Built): void {
  if ('error' in built) {
    setState({ parsed: null, taskStatus: 'error', taskError: { kind: 'task', message: built.error } });
    return;
  }
  setState({ parsed: built.parsed, taskStatus: 'ready', taskError: null });
  syncObjective(built.parsed.spec);
}

/**
 * The task an upload makes under `template`, or the one reason it cannot: fields left unmapped
 * or a template placeholder that is not a column are said once, before any row is read.
 * Splits off 20% of the valid rows as dev.
 */
export function buildUploadTask(upload: UploadDraft, template: string): Built {
  const needed = [...FIELDS[upload.type]];
  const mappedFields = Object.values(upload.mapping);
  const unmapped = needed.filter((f) => !mappedFields.includes(f) && (upload.type === 'preference' || f === 'label' || template.includes(`{${f}}`)));
  if (unmapped.length > 0) {
    return { fatal: false, error: `Map the columns: this file has ${upload.columns.join(', ')}; pick the column for ${unmapped.map((f) => `“${f}”`).join(' and ')} above.` };
  }
  if (upload.type === 'classification') {
    const typo = unknownTemplateFields(template, mappedFields.filter((f) => f !== 'label'));
    if (typo) return { fatal: false, error: `${typo[0].toUpperCase()}${typo.slice(1)}. Fix the template, or map a column to that name.` };
  }
  let spec: TaskSpec;
  try {
    spec = uploadSpec(upload, template);
  } catch (error) {
    return { fatal: false, error: userError(error).message.replace(/^task\.json: /, '') };
  }
  const columns = upload.format === 'csv' ? upload.mapping : undefined;
  const whole = buildTask(spec, { train: upload.format === 'csv' ? { format: 'csv', text: upload.text, columns } : remapJsonl(upload) });
  const rows = whole.splits.train ?? [];
  if (rows.length === 0) {
    const first = whole.problems[0]?.message.replace(/^row (\d+)/, 'line $1');
    return { fatal: true, error: `No valid rows${first ? `: ${first}` : ''}${whole.problems.length > 1 ? ' (the problems are listed below)' : ''}.` };
  }
  const cut = Math.max(1, Math.floor(rows.length * 0.8));
  return { parsed: { spec, splits: { train: rows.slice(0, cut), dev: rows.slice(cut) }, problems: whole.problems } };
}

function uploadSpec(upload: UploadDraft, template: string): TaskSpec {
  const name = uploadName(upload.fileName);
  if (upload.type !== 'classification') return validateSpec({ name, type: upload.type, prompt_template: template });
  const labels = splitList(upload.labels);
  const words = splitList(upload.labelWords).map((w) => ` ${w}`);
  if (labels.length !== words.length) {
    throw new Error(`${labels.length} labels (${labels.join(', ')}) but ${words.length} label words (${words.map((w) => w.trim()).join(', ')}): give one word per label, in the same order`);
  }
  return validateSpec({ name, type: 'classification', prompt_template: template, label_words: words, labels });
}

/** JSONL rows renamed by the mapping (column -> field), as CSV mapping does. */
function remapJsonl(upload: UploadDraft): string {
  const { rows } = parseJsonl(upload.text, 'train');
  const entries = Object.entries(upload.mapping);
  if (entries.every(([column, field]) => column === field)) return upload.text;
  return rows
    .map((row) => {
      const r = row as Record<string, unknown>;
      return JSON.stringify(Object.fromEntries(entries.map(([column, field]) => [field, r?.[column]])));
    })
    .join('\n');
}

/** The save waiting for typing to pause: the upload as last edited, under its name. */
let pending: { timer: ReturnType<typeof setTimeout>; upload: SavedUpload } | null = null;

/** Saves the current upload and template shortly after the last edit (typing does not write on every key). */
function persist(): void {
  const { upload, template } = getState();
  if (!upload) return;
  const saved: SavedUpload = { version: 1, name: uploadName(upload.fileName), draft: upload, template, savedAt: Date.now() };
  // Another upload's pending edits are written at once rather than dropped.
  if (pending && pending.upload.name !== saved.name) void flushUploadSave();
  if (pending) clearTimeout(pending.timer);
  pending = { upload: saved, timer: setTimeout(() => void flushUploadSave(), 300) };
}

/** Writes a pending save now. */
export async function flushUploadSave(): Promise<void> {
  if (!pending) return;
  clearTimeout(pending.timer);
  const { upload } = pending;
  pending = null;
  try {
    await saveUpload(upload);
  } catch (error) {
    setState({ uploadRejected: { kind: 'upload', message: `The upload could not be saved in this browser: ${userError(error).message}` } });
  }
}

export type { LabelSet };
