// Task actions: built-in demo tasks, uploads (JSONL or CSV with a column mapping), the template
// editor, and handing the task to the engine. Parsing and validation are the data layer's
// (src/engine/data); this file only wires them to the store.
import { buildTask, loadBuiltinTask, parseCsvRecords, parseJsonl, validateRows, validateSpec, type ParsedTask, type TaskSpec } from '../../engine/data';
import { engine, hasEngine } from '../engineBridge';
import { loadUploadedTask, saveUploadedTask } from '../persistence';
import { getState, setState, userError, type UploadDraft } from '../state';
import { engineHolds } from './runs';

const demoBase = () => `${import.meta.env.BASE_URL}demo-data`;
const fetchText = async (url: string): Promise<string> => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not fetch ${url} (HTTP ${response.status}).`);
  return response.text();
};

/** Picks a built-in task (or an uploaded one saved earlier) and validates it. */
export async function selectTask(name: string): Promise<void> {
  setState({ taskChoice: name, taskStatus: 'loading', taskError: null, taskSummary: null, taskApplied: false });
  try {
    const parsed = (await loadUploadedTask(name).then((t) => (t ? { ...t, problems: [] } : null))) ?? (await loadBuiltinTask(name, demoBase(), fetchText));
    if (getState().taskChoice !== name) return;
    setState({ parsed, template: parsed.spec.prompt_template, taskStatus: 'ready', upload: null });
    syncObjective(parsed.spec);
    if (getState().modelStatus === 'ready') await applyTaskToEngine();
  } catch (error) {
    if (getState().taskChoice === name) setState({ taskStatus: 'error', taskError: userError(error), parsed: null });
  }
}

/** Reads an uploaded JSONL or CSV file and proposes a column mapping. */
export async function uploadTaskFile(file: File): Promise<void> {
  const text = await file.text();
  const format: UploadDraft['format'] = /\.csv$/i.test(file.name) ? 'csv' : 'jsonl';
  let columns: string[] = [];
  if (format === 'csv') {
    const { records } = parseCsvRecords(text.slice(0, 65536));
    columns = records[0]?.fields.map((f) => f.trim()) ?? [];
  } else {
    const first = parseJsonl(text.slice(0, 65536).split('\n').slice(0, 5).join('\n'), 'train').rows[0];
    columns = first && typeof first === 'object' ? Object.keys(first as object) : [];
  }
  const isPreference = ['prompt', 'chosen', 'rejected'].every((c) => columns.includes(c));
  const guess = (want: string[]) => columns.find((c) => want.includes(c.toLowerCase())) ?? '';
  const mapping: Record<string, string> = isPreference
    ? { prompt: 'prompt', chosen: 'chosen', rejected: 'rejected' }
    : { [guess(['text', 'sentence', 'gloss', 'input', 'question'])]: 'text', [guess(['label', 'labels', 'class', 'target'])]: 'label' };
  delete mapping[''];
  const upload: UploadDraft = {
    fileName: file.name,
    format,
    text,
    columns,
    mapping,
    type: isPreference ? 'preference' : 'classification',
    labelWords: ' negative, positive',
  };
  setState({ upload, taskChoice: 'upload', template: isPreference ? '{prompt}' : '{text}\nThe answer is', taskApplied: false, taskSummary: null });
  buildUpload();
}

export function updateUpload(patch: Partial<UploadDraft>): void {
  const upload = getState().upload;
  if (!upload) return;
  setState({ upload: { ...upload, ...patch }, taskApplied: false });
  buildUpload();
}

/** Validates the uploaded rows under the current mapping and template; splits off 20% as dev. */
export function buildUpload(): void {
  const { upload, template } = getState();
  if (!upload) return;
  try {
    const name = upload.fileName.replace(/\.(jsonl|csv)$/i, '').replace(/[^\w.-]+/g, '-') || 'uploaded';
    const labelWords = upload.labelWords.split(',').map((w) => (w.trim() ? ` ${w.trim()}` : '')).filter(Boolean);
    const spec = validateSpec({ name, type: upload.type, prompt_template: template, ...(upload.type === 'classification' ? { label_words: labelWords } : {}) });
    const columns = upload.format === 'csv' ? upload.mapping : undefined;
    const whole = buildTask(spec, { train: upload.format === 'csv' ? { format: 'csv', text: upload.text, columns } : remapJsonl(upload) });
    const rows = whole.splits.train ?? [];
    const cut = Math.max(1, Math.floor(rows.length * 0.8));
    const parsed: ParsedTask = { spec, splits: { train: rows.slice(0, cut), dev: rows.slice(cut) }, problems: whole.problems };
    setState({ parsed, taskStatus: rows.length ? 'ready' : 'error', taskError: rows.length ? null : { kind: 'task', message: 'No valid rows: see the problems listed below.' } });
    syncObjective(spec);
  } catch (error) {
    setState({ parsed: null, taskStatus: 'error', taskError: userError(error) });
  }
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

/** Template edits re-validate every row at once; the engine gets the task on apply or on start. */
export function setTemplate(template: string): void {
  setState({ template, taskApplied: false });
  const { upload, parsed } = getState();
  if (upload) return buildUpload();
  if (!parsed) return;
  try {
    const spec = validateSpec({ ...parsed.spec, prompt_template: template });
    const problems = Object.entries(parsed.splits).flatMap(([split, rows]) => validateRows(spec, split, rows).problems);
    setState({ parsed: { ...parsed, spec, problems }, taskError: null, taskStatus: 'ready' });
  } catch (error) {
    setState({ taskError: userError(error), taskStatus: 'error' });
  }
}

/** Hands the current task to the engine (needs a loaded model). Uploaded tasks are saved first. */
export async function applyTaskToEngine(): Promise<boolean> {
  const { parsed, upload, longRows } = getState();
  if (!parsed || !hasEngine()) return false;
  try {
    if (upload) await saveUploadedTask({ spec: parsed.spec, splits: parsed.splits });
    const summary = await engine().setTask({ spec: parsed.spec, splits: parsed.splits, longRows });
    engineHolds.runId = null; // a new task: a run continues by replaying its record
    if (getState().parsed === parsed) setState({ taskSummary: summary, taskApplied: true, taskError: null });
    return true;
  } catch (error) {
    setState({ taskError: userError(error), taskApplied: false });
    return false;
  }
}

/** The objective follows the task type: candidate scoring for classification, DPO for pairs. */
function syncObjective(spec: TaskSpec): void {
  const { config } = getState();
  const objective = spec.type === 'preference' ? (config.objective === 'zopro' ? 'zopro' : 'dpo') : spec.type === 'generation' ? 'lm' : config.objective === 'neg-accuracy' ? 'neg-accuracy' : 'classification';
  if (objective !== config.objective) setState({ config: { ...config, objective } });
}

/** Rows longer than the model's context: skip or truncate them, and hand the task over again. */
export async function setLongRows(longRows: 'skip' | 'truncate'): Promise<void> {
  setState({ longRows });
  await applyTaskToEngine();
}
