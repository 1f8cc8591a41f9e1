// --task DIR: a folder with task.json and <split>.jsonl (or .csv) files, as in demo-data/.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadTaskFromFiles } from '../engine/data/parse';
import type { ParsedTask } from '../engine/data/task';
import type { Session } from '../engine/session/session';
import type { LongRows } from '../engine/session/encodedTask';
import { optionalString, UsageError, type ParsedArgs } from './args';
import type { CliIo } from './io';

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

/**
 * --task DIR into the session, rows longer than the model's context skipped or truncated
 * (--long-rows skip|truncate); every row problem (bad rows, long rows) is printed with its line.
 */
export async function setCliTask(session: Session, args: ParsedArgs, io: CliIo, dir: string): Promise<ParsedTask> {
  const longRows = optionalString(args, 'long-rows') ?? 'skip';
  if (longRows !== 'skip' && longRows !== 'truncate') throw new UsageError(`--long-rows must be skip or truncate; got "${longRows}"`);
  const task = await readTaskDir(dir);
  const encoded = session.setTask(task, longRows as LongRows);
  const problems = [...task.problems, ...encoded.problems];
  if (problems.length) {
    const json = args.flags.has('json');
    const shown = problems.slice(0, 20);
    if (!json) io.stderr(`${dir}: ${problems.length} row problem${problems.length === 1 ? '' : 's'} (those rows are left out unless truncated):`);
    for (const p of shown) {
      if (json) io.stdout(JSON.stringify({ kind: 'task-problem', ...p }));
      else io.stderr(`  ${p.split}: ${p.message}`);
    }
    if (problems.length > shown.length) io.stderr(`  ... and ${problems.length - shown.length} more`);
  }
  return task;
}
