// --task DIR: a folder with task.json and <split>.jsonl (or .csv) files, as in demo-data/.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadTaskFromFiles } from '../engine/data/parse';
import type { ParsedTask } from '../engine/data/task';

export async function readTaskDir(dir: string, onlySplits?: string[]): Promise<ParsedTask> {
  const names = await readdir(dir).catch(() => {
    throw new Error(`cannot read the task folder ${dir}`);
  });
  const wanted = names.filter((n) => n === 'task.json' || (/\.(jsonl|csv)$/i.test(n) && (!onlySplits || onlySplits.includes(n.replace(/\.(jsonl|csv)$/i, '')))));
  const files = await Promise.all(wanted.map(async (name) => ({ name, text: await readFile(join(dir, name), 'utf8') })));
  const task = loadTaskFromFiles(files);
  for (const split of onlySplits ?? []) {
    if (!task.splits[split]) throw new Error(`${dir} has no ${split}.jsonl (it has: ${Object.keys(task.splits).join(', ') || 'no splits'})`);
  }
  return task;
}
