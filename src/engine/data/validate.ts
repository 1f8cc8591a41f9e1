// Validation of task.json and of each row, with messages that say what to fix. A bad row is
// reported and left out; the good rows are kept. Classification labels come out as indices.
import { parseTemplate, templateFields, TemplateError } from './template';
import type { TaskRow, TaskSpec, TaskType } from './task';

const TASK_TYPES: TaskType[] = ['classification', 'preference', 'generation'];
const PREFERENCE_FIELDS = ['prompt', 'chosen', 'rejected'] as const;

export class TaskSpecError extends Error {
  override name = 'TaskSpecError';
  constructor(readonly problems: string[]) {
    super(`task.json: ${problems.join('; ')}`);
  }
}

const isText = (v: unknown): v is string => typeof v === 'string';

/** Checks a parsed task.json; returns it typed, or throws TaskSpecError listing every problem. */
export function validateSpec(raw: unknown): TaskSpec {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new TaskSpecError(['must be a JSON object']);
  const spec = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (!isText(spec.name) || !spec.name.trim()) problems.push(`"name" must be a non-empty string`);
  if (!TASK_TYPES.includes(spec.type as TaskType)) {
    problems.push(`"type" is ${JSON.stringify(spec.type)}; use one of ${TASK_TYPES.map((t) => `"${t}"`).join(', ')}`);
  }
  if (!isText(spec.prompt_template)) problems.push(`"prompt_template" must be a string such as "{text}\\nThis is a kind of"`);
  else {
    try {
      parseTemplate(spec.prompt_template);
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      problems.push(`"prompt_template": ${e.message}`);
    }
  }
  if (spec.type === 'classification') {
    const words = spec.label_words;
    if (!Array.isArray(words) || words.length < 2 || !words.every((w) => isText(w) && w.length > 0)) {
      problems.push(`a classification task needs "label_words": at least two non-empty strings, e.g. [" animal", " plant"]`);
    } else {
      const dup = words.find((w, i) => words.indexOf(w) !== i);
      if (dup !== undefined) problems.push(`"label_words" lists ${JSON.stringify(dup)} twice`);
      if (spec.labels !== undefined) {
        const labels = spec.labels;
        if (!Array.isArray(labels) || !labels.every(isText) || labels.length !== words.length) {
          problems.push(`"labels" must be ${words.length} strings, one per label word`);
        }
      }
    }
  }
  if (spec.type === 'generation' && (!isText(spec.answer_field) || !spec.answer_field)) {
    problems.push(`a generation task needs "answer_field": the row field that holds the answer text`);
  }
  if (problems.length) throw new TaskSpecError(problems);
  return spec as TaskSpec;
}

/** Fields a row of this task must have as non-empty text. */
export function requiredFields(spec: TaskSpec): string[] {
  if (spec.type === 'preference') return [...PREFERENCE_FIELDS];
  const fields = templateFields(spec.prompt_template);
  if (spec.type === 'generation' && spec.answer_field && !fields.includes(spec.answer_field)) fields.push(spec.answer_field);
  return fields;
}

/**
 * The label of a classification row as an index into label_words: an integer (or a string of
 * digits, as CSV gives), or a label name from `labels`, or a label word itself.
 */
export function resolveLabel(spec: TaskSpec, value: unknown): number | string {
  const words = spec.label_words ?? [];
  const n = words.length;
  const names = spec.labels ?? [];
  const quoted = (xs: string[]) => xs.map((l) => `'${l}'`).join(', ');
  const range = `an integer from 0 to ${n - 1}` + (names.length ? ` or one of ${quoted(names)}` : '');
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 && value < n ? value : `label ${value} is not a label index; use ${range}`;
  }
  if (typeof value === 'string') {
    const s = value.trim();
    const byName = names.indexOf(s);
    if (byName >= 0) return byName;
    const byWord = words.findIndex((w) => w.trim() === s);
    if (byWord >= 0) return byWord;
    if (/^\d+$/.test(s)) return Number(s) < n ? Number(s) : `label ${s} is not a label index; use ${range}`;
    // A word label: the advice is the task's label words, never an index range.
    const known = names.length ? names : words.map((w) => w.trim());
    return `label '${value}' is not one of the task's labels (${quoted(known)}); add it to the label set or fix the row`;
  }
  return `label is ${value === null ? 'null' : typeof value}; use ${range}`;
}

/** Validates one row. Returns the row to keep (labels resolved to indices) or the problems. */
export function validateRow(spec: TaskSpec, row: unknown): { row: TaskRow } | { errors: string[] } {
  if (!row || typeof row !== 'object' || Array.isArray(row)) return { errors: ['is not a JSON object; write one {"field": value, ...} object per line'] };
  const r = row as TaskRow;
  const errors: string[] = [];
  const usedBy = (field: string): string => {
    if (spec.type === 'preference') return 'preference rows need prompt, chosen and rejected';
    if (field === spec.answer_field) return `it is the task's answer_field`;
    return `the template uses {${field}}`;
  };
  for (const field of requiredFields(spec)) {
    const value = r[field];
    if (value === undefined || value === null) errors.push(`field '${field}' is missing; ${usedBy(field)}`);
    else if (typeof value === 'string') {
      if (!value.trim()) errors.push(`field '${field}' is empty; ${usedBy(field)}`);
    } else if (typeof value !== 'number' || spec.type === 'preference') {
      errors.push(`field '${field}' is ${Array.isArray(value) ? 'a list' : typeof value}, not text; ${usedBy(field)}`);
    }
  }
  if (spec.type !== 'classification') return errors.length ? { errors } : { row: r };
  if (!('label' in r)) {
    errors.push(`field 'label' is missing; give the index of the right label word (0 to ${(spec.label_words?.length ?? 1) - 1})`);
    return { errors };
  }
  const label = resolveLabel(spec, r.label);
  if (typeof label === 'string') errors.push(label);
  return errors.length ? { errors } : { row: label === r.label ? r : { ...r, label } };
}
