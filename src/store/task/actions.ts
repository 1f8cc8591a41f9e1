// Task actions: built-in demo tasks (and saved ones) and handing the task (the template editor's
// action is ./template.ts) to the engine. Uploads (JSONL or CSV with a column mapping) are ./upload.ts. Parsing and
// validation are the data layer's (src/engine/data); this file only wires them to the store.
import { loadBuiltinTask, type TaskSpec } from '../../engine/data';
import { engine, hasEngine } from '../engineBridge';
import { loadUploadedTask, saveUploadedTask } from '../persistence';
import { getState, setState } from '../state';
import { userError } from '../userError';

const demoBase = () => `${import.meta.env.BASE_URL}demo-data`;
const fetchText = async (url: string): Promise<string> => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not fetch ${url} (HTTP ${response.status}).`);
  return response.text();
};

/** Picks a built-in task (or an uploaded one saved earlier) and validates it. */
export async function selectTask(name: string): Promise<void> {
  setState({ taskChoice: name, rowFocus: null, taskStatus: 'loading', taskError: null, taskSummary: null, taskApplied: false });
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

/** Hands the current task to the engine (needs a loaded model). Uploaded tasks are saved first. */
export async function applyTaskToEngine(): Promise<boolean> {
  const { parsed, upload, longRows, taskStatus } = getState();
  // A task in error (e.g. a template typo) is not sent: `parsed` would be the last good version, not what the form shows.
  if (!parsed || !hasEngine() || taskStatus === 'error') return false;
  try {
    if (upload) await saveUploadedTask({ spec: parsed.spec, splits: parsed.splits });
    const summary = await engine().setTask({ spec: parsed.spec, splits: parsed.splits, longRows, lines: parsed.lines });
    if (getState().parsed === parsed) setState({ taskSummary: summary, taskApplied: true, taskError: null });
    return true;
  } catch (error) {
    setState({ taskError: userError(error), taskApplied: false });
    return false;
  }
}

/** The objective follows the task type: candidate scoring for classification, DPO for pairs. */
export function syncObjective(spec: TaskSpec): void {
  const { config } = getState();
  const objective = spec.type === 'preference' ? (config.objective === 'zopro' ? 'zopro' : 'dpo') : spec.type === 'generation' ? 'lm' : config.objective === 'neg-accuracy' ? 'neg-accuracy' : 'classification';
  if (objective !== config.objective) setState({ config: { ...config, objective } });
}

/** Highlights a row in the task's row table (0-based index into the split as parsed); null clears it. */
export function focusTaskRow(focus: { split: string; index: number } | null): void {
  setState({ rowFocus: focus });
}

/** Rows longer than the model's context: skip or truncate them, and hand the task over again. */
export async function setLongRows(longRows: 'skip' | 'truncate'): Promise<void> {
  setState({ longRows });
  await applyTaskToEngine();
}
