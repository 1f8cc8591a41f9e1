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

/** A line's text for a message: the line `lineStart` begins, cut short. */
function lineText(src: string, lineStart: number): string {
  const end = src.slice(lineStart, lineStart + 200).search(/\r|\n/);
  const text = end < 0 ? src.slice(lineStart, lineStart + 200) : src.slice(lineStart, lineStart + end);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Splits CSV text into records. Blank lines are skipped; an unclosed quote is an error. */
export function parseCsvRecords(text: string): { records: CsvRecord[]; error: string | null } {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let quoteLine = 0;
  let quoteLineStart = 0; // offset of the line the open quote is on (for its text in messages)
  let lineStart = 0;
  let error: string | undefined;
  let touched = false; // the record has content (so a blank line is not a record)
  const endRecord = (): void => {
    if (touched) records.push(error ? { line: start, fields: [...fields, field], error } : { line: start, fields: [...fields, field] });
    fields = [];
    field = '';
    touched = false;
    error = undefined;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          // A quote that opened on an earlier line and closes with text after it is almost always
          // a quote never closed on its own line that swallowed the lines below: say so there.
          const next = src[i + 1];
          if (line > quoteLine && next !== undefined && next !== ',' && next !== '\n' && next !== '\r' && !error) {
            error = `line ${quoteLine}: the quote opened on this line (${lineText(src, quoteLineStart)}) closes only on line ${line}, with text after it, so lines ${quoteLine}–${line} ran together; add the missing closing '"' on line ${quoteLine} (write "" for a quote inside a quoted field)`;
          }
        }
      } else {
        if (c === '\n') {
          line++;
          lineStart = i + 1;
        }
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      quoteLine = line;
      quoteLineStart = lineStart;
      touched = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      touched = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      lineStart = i + 1;
      start = line;
    } else {
      if (!touched) start = line;
      field += c;
      touched = true;
    }
  }
  if (quoted) {
    return { records, error: `line ${quoteLine}: a quoted field is never closed (${lineText(src, quoteLineStart)}); add the closing '"' (write "" for a quote inside a quoted field)` };
  }
  endRecord();
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
