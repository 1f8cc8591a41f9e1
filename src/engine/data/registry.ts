// The built-in demo tasks, shipped under public/demo-data/<name>/ (task.json, train.jsonl,
// dev.jsonl). Fetching is injected so this runs in a Worker,
// in the page and in Node alike.
import { parseTask } from './parse';
import type { ParsedTask, TaskType } from './task';

export interface BuiltinTask {
  name: string;
  type: TaskType;
  /** One line for the task picker. */
  title: string;
  splits: string[];
}

export const BUILTIN_TASKS: readonly BuiltinTask[] = [
  { name: 'wn-animal-plant', type: 'classification', title: 'Animal or plant? (WordNet glosses, 2 labels)', splits: ['train', 'dev'] },
  { name: 'wn-topic4', type: 'classification', title: 'Animal, plant, food or object? (WordNet glosses, 4 labels)', splits: ['train', 'dev'] },
  { name: 'wn-define-pref', type: 'preference', title: 'Right definition over a wrong one (WordNet, preference pairs)', splits: ['train', 'dev'] },
];

/** The task picked when the app opens. */
export const DEFAULT_TASK = 'wn-animal-plant';

/** Reads a text file by URL or path; e.g. `(u) => fetch(u).then((r) => r.text())`. */
export type FetchText = (url: string) => Promise<string>;

/**
 * Loads a built-in task from `${baseUrl}/${name}/` (baseUrl: the app's `demo-data` folder, e.g.
 * `${import.meta.env.BASE_URL}demo-data`). Throws for an unknown name.
 */
export async function loadBuiltinTask(name: string, baseUrl: string, fetchText: FetchText): Promise<ParsedTask> {
  const entry = BUILTIN_TASKS.find((t) => t.name === name);
  if (!entry) throw new Error(`no built-in task '${name}'; the built-in tasks are ${BUILTIN_TASKS.map((t) => t.name).join(', ')}`);
  const dir = `${baseUrl.replace(/\/+$/, '')}/${name}`;
  const [taskJson, ...texts] = await Promise.all([
    fetchText(`${dir}/task.json`),
    ...entry.splits.map((split) => fetchText(`${dir}/${split}.jsonl`)),
  ]);
  return parseTask(taskJson, Object.fromEntries(entry.splits.map((split, i) => [split, texts[i]])));
}
