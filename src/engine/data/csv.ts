// CSV (RFC 4180) to task rows: quoted fields with "" escapes, commas and line breaks inside
// quotes, CRLF or LF line ends, a UTF-8 BOM; the first record is the header.
import type { TaskProblem, TaskRow } from './task';

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  fields: string[];
  /** Set when the record is malformed (it is then no row): what is wrong and where. */
  error?: string;
}

/** The text of the line holding offset `at`, cut short, for a message that points at it. */
function lineText(src: string, at: number): string {
  const start = src.lastIndexOf('\n', at - 1) + 1;
  const end = src.slice(start, start + 200).search(/\r|\n/);
  const text = end < 0 ? src.slice(start, start + 200) : src.slice(start, start + end);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** Newlines in src[from, to): indexOf jumps, no per-character work in JavaScript. */
function countLf(src: string, from: number, to: number): number {
  let n = 0;
  for (let at = src.indexOf('\n', from); at >= 0 && at < to; at = src.indexOf('\n', at + 1)) n++;
  return n;
}

/**
 * Splits CSV text into records. Blank lines are skipped; an unclosed quote is an error.
 * Fields are slices of the text, found with indexOf and a sticky search (never built a character
 * at a time), so a 50 MB field costs about its own size, not 30x, and parses in milliseconds.
 */
export function parseCsvRecords(text: string): { records: CsvRecord[]; error: string | null } {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const n = src.length;
  const records: CsvRecord[] = [];
  const delimiter = /[,\r\n]/g;
  /** Index of the next comma or line end at or after `from` (n when none). */
  const nextDelimiter = (from: number): number => {
    delimiter.lastIndex = from;
    return delimiter.exec(src)?.index ?? n;
  };
  let i = 0;
  let line = 1;
  while (i < n) {
    const first = src.charCodeAt(i);
    if (first === LF || first === CR) {
      i += first === CR && src.charCodeAt(i + 1) === LF ? 2 : 1; // a blank line: no record
      line++;
      continue;
    }
    const start = line;
    const fields: string[] = [];
    let error: string | undefined;
    for (;;) {
      let value: string;
      if (src.charCodeAt(i) === QUOTE) {
        const quoteLine = line;
        const opened = i;
        let from = i + 1;
        let parts: string[] | null = null;
        for (;;) {
          const q = src.indexOf('"', from);
          if (q < 0) {
            return { records, error: `line ${quoteLine}: a quoted field is never closed (${lineText(src, opened)}); add the closing '"' (write "" for a quote inside a quoted field)` };
          }
          line += countLf(src, from, q);
          if (src.charCodeAt(q + 1) === QUOTE) {
            (parts ??= []).push(src.slice(from, q + 1)); // "" is one quote
            from = q + 2;
            continue;
          }
          value = parts ? parts.join('') + src.slice(from, q) : src.slice(from, q);
          i = q + 1;
          break;
        }
        const end = nextDelimiter(i); // text after the closing quote belongs to the field, as before
        // A quote opened on an earlier line that closes with text after it is almost always a
        // quote never closed on its own line, which swallowed the lines below: say so there.
        if (end > i && line > quoteLine && !error) {
          error = `line ${quoteLine}: the quote opened on this line (${lineText(src, opened)}) closes only on line ${line}, with text after it, so lines ${quoteLine}–${line} ran together; add the missing closing '"' on line ${quoteLine} (write "" for a quote inside a quoted field)`;
        }
        if (end > i) value += src.slice(i, end);
        i = end;
      } else {
        const end = nextDelimiter(i);
        value = src.slice(i, end);
        i = end;
      }
      fields.push(value);
      if (i < n && src.charCodeAt(i) === COMMA) {
        i++;
        continue;
      }
      break;
    }
    records.push(error ? { line: start, fields, error } : { line: start, fields });
    if (i < n) {
      i += src.charCodeAt(i) === CR && src.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
    }
  }
  return { records, error: null };
}

/**
 * CSV text to rows. `columns` maps a CSV column (header name) to a task field, e.g.
 * {sentence: 'text', label: 'label'}; only mapped columns are kept. Without a mapping every
 * column keeps its header name. Values stay strings (labels are resolved by validation).
 */
export function csvToRows(
  text: string,
  split: string,
  columns?: Record<string, string>,
): { rows: TaskRow[]; lines: number[]; problems: TaskProblem[] } {
  const problems: TaskProblem[] = [];
  const { records, error } = parseCsvRecords(text);
  if (error) problems.push({ split, row: Number(/^line (\d+)/.exec(error)?.[1] ?? 0), message: error });
  if (records.length === 0) {
    problems.push({ split, row: 0, message: 'the CSV file is empty; it needs a header line and one line per row' });
    return { rows: [], lines: [], problems };
  }
  const header = records[0].fields.map((h) => h.trim());
  const mapping = columns ?? Object.fromEntries(header.map((h) => [h, h]));
  const picks: [number, string][] = [];
  for (const [column, field] of Object.entries(mapping)) {
    const index = header.indexOf(column);
    if (index < 0) {
      problems.push({ split, row: 1, message: `column '${column}' (mapped to '${field}') is not in the header; the columns are: ${header.join(', ')}` });
    } else picks.push([index, field]);
  }
  const rows: TaskRow[] = [];
  const lines: number[] = [];
  for (const record of records.slice(1)) {
    if (record.error) {
      problems.push({ split, row: record.line, message: record.error });
      continue;
    }
    if (record.fields.length !== header.length) {
      problems.push({
        split,
        row: record.line,
        message: `row ${record.line}: has ${record.fields.length} columns but the header has ${header.length}; quote fields that contain commas ("a, b")`,
      });
      continue;
    }
    const row: TaskRow = {};
    for (const [index, field] of picks) row[field] = record.fields[index];
    rows.push(row);
    lines.push(record.line);
  }
  return { rows, lines, problems };
}
