// How a task row reads in a table: the fields its prompt template fills, and its answer (the label
// name of a classification row, the chosen answer of a preference pair, the answer field of a
// generation row). Shared by the task's row table and the influence view's ranked rows.
import { templateFields, type TaskRow, type TaskSpec } from '../../engine/data';

/** The template's fields of a row, joined; every string field when the template names none. */
export function rowText(spec: TaskSpec, row: TaskRow): string {
  let fields: string[];
  try {
    fields = templateFields(spec.prompt_template);
  } catch {
    fields = [];
  }
  if (fields.length === 0) fields = Object.keys(row).filter((k) => typeof row[k] === 'string');
  return fields.map((f) => String(row[f] ?? '')).join(' · ');
}

/** What the row answers: a label name, a chosen completion, or an answer field; '' when none. */
export function rowAnswer(spec: TaskSpec, row: TaskRow): string {
  if (spec.type === 'classification') {
    const label = row.label;
    if (typeof label === 'number') return spec.labels?.[label] ?? spec.label_words?.[label]?.trim() ?? String(label);
    return label === undefined ? '' : String(label);
  }
  if (spec.type === 'preference') return typeof row.chosen === 'string' ? row.chosen : '';
  const field = spec.answer_field;
  return field && row[field] !== undefined ? String(row[field]) : '';
}
