// Loading a task: task.json text plus one JSONL or CSV text per split, validated row by row.
// Problems are collected (never thrown) so a file with a few bad rows still loads.
import { InvalidFileError, parseJsonFile } from '../files/invalidFile';
import { csvToRows } from './csv';
import { validateRow, validateSpec } from './validate';
import type { ParsedTask, TaskProblem, TaskRow, TaskSpec } from './task';

/** A split's file: JSONL text, or CSV text with an optional column mapping {csvColumn: field}. */
export type SplitSource = string | { format: 'jsonl'; text: string } | { format: 'csv'; text: string; columns?: Record<string, string> };

/** JSONL text to raw rows with their line numbers; blank lines are skipped. */
export function parseJsonl(text: string, split: string): { rows: unknown[]; lines: number[]; problems: TaskProblem[] } {
  const rows: unknown[] = [];
  const lines: number[] = [];
  const problems: TaskProblem[] = [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  src.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return;
    try {
      rows.push(JSON.parse(raw));
      lines.push(i + 1);
    } catch (e) {
      problems.push({ split, row: i + 1, message: `row ${i + 1}: not valid JSON (${(e as Error).message}); each line must be one JSON object` });
    }
  });
  return { rows, lines, problems };
}

/**
 * Validates rows (already parsed) against a spec: good rows are kept, each bad row gives one
 * problem per thing wrong with it, as "row 12: field 'text' is missing; the template uses {text}".
 */
export function validateRows(
  spec: TaskSpec,
  split: string,
  rows: readonly unknown[],
  lines?: readonly number[],
): { rows: TaskRow[]; lines: number[]; problems: TaskProblem[] } {
  const kept: TaskRow[] = [];
  const keptLines: number[] = [];
  const problems: TaskProblem[] = [];
  rows.forEach((raw, i) => {
    const line = lines?.[i] ?? i + 1;
    const result = validateRow(spec, raw);
    if ('row' in result) {
      kept.push(result.row);
      keptLines.push(line);
    }
    else for (const message of result.errors) problems.push({ split, row: line, message: `row ${line}: ${message}` });
  });
  if (rows.length > 0 && kept.length === 0) {
    problems.push({ split, row: 0, message: `no valid rows in split '${split}'; fix the problems above` });
  }
  return { rows: kept, lines: keptLines, problems };
}

/** Builds a task from a validated spec and split sources (the UI's template editor uses this). */
export function buildTask(spec: TaskSpec, splits: Record<string, SplitSource>): ParsedTask {
  const out: ParsedTask = { spec, splits: {}, problems: [], lines: {} };
  for (const [split, source] of Object.entries(splits)) {
    const src = typeof source === 'string' ? { format: 'jsonl' as const, text: source } : source;
    const parsed = src.format === 'csv' ? csvToRows(src.text, split, src.columns) : parseJsonl(src.text, split);
    const validated = validateRows(spec, split, parsed.rows, parsed.lines);
    out.splits[split] = validated.rows;
    out.lines![split] = validated.lines;
    out.problems.push(...parsed.problems, ...validated.problems);
  }
  return out;
}

/** task.json text plus split texts (JSONL by default). Throws InvalidFileError (not JSON) or TaskSpecError (bad fields) for a bad task.json. */
export function parseTask(taskJsonText: string, splits: Record<string, SplitSource>): ParsedTask {
  return buildTask(validateSpec(parseJsonFile(taskJsonText, 'task.json')), splits);
}

const baseName = (name: string): string => name.slice(name.replace(/\\/g, '/').lastIndexOf('/') + 1);

/**
 * Files of a task folder (picked or dropped): task.json and `<split>.jsonl` / `<split>.csv`.
 * Names may carry folders ("wn-animal-plant/train.jsonl"). CSV files use `csvColumns` as their
 * column mapping. Other files are ignored. Throws when task.json is missing or bad.
 */
export function loadTaskFromFiles(files: { name: string; text: string }[], csvColumns?: Record<string, string>): ParsedTask {
  const spec = files.find((f) => baseName(f.name) === 'task.json');
  if (!spec) {
    const names = files.map((f) => baseName(f.name)).join(', ') || 'none';
    throw new InvalidFileError('task folder', 'task.json', 'a task.json plus train.jsonl (or .csv)', `missing (the files are: ${names})`);
  }
  const splits: Record<string, SplitSource> = {};
  for (const file of files) {
    const m = /^(.+)\.(jsonl|csv)$/i.exec(baseName(file.name));
    if (!m) continue;
    const [, split, ext] = m;
    if (split in splits) throw new InvalidFileError('task folder', `split '${split}'`, `one file per split; keep ${split}.jsonl or ${split}.csv`, 'given twice');
    splits[split] = ext.toLowerCase() === 'csv' ? { format: 'csv', text: file.text, columns: csvColumns } : file.text;
  }
  return parseTask(spec.text, splits);
}

/** Row counts per split and the problems: what the engine's setTask reports (TaskSummary). */
export function summarizeTask(task: ParsedTask): { name: string; type: string; splits: Record<string, number>; problems: TaskProblem[] } {
  const splits = Object.fromEntries(Object.entries(task.splits).map(([name, rows]) => [name, rows.length]));
  return { name: task.spec.name, type: task.spec.type, splits, problems: task.problems };
}
