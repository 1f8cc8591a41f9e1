// The template editor's live preview: one row rendered with a (possibly unsaved) template,
// its tokens, and the tokens each candidate adds (or each preference response / the answer).
// Never throws: a template or row problem comes back as `error` for the editor to show.
import { continuationIds, promptText } from './encode';
import { TemplateError } from './template';
import { resolveLabel } from './validate';
import type { TaskRow, TaskSpec } from './task';
import type { Tokenizer } from './tokenizer';

export interface PreviewToken {
  id: number;
  text: string;
}

export interface PreviewContinuation {
  /** The label word, "chosen"/"rejected" text, or the answer. */
  text: string;
  tokens: PreviewToken[];
  /** The label word is the row's label (classification) or the chosen response. */
  correct: boolean;
  /** Tokenized alone: the prefix property failed for this row. */
  fallback: boolean;
}

export interface RowPreview {
  prompt: string;
  promptTokens: PreviewToken[];
  continuations: PreviewContinuation[];
  error: string | null;
}

const tokens = (tok: Tokenizer, ids: number[]): PreviewToken[] => {
  const pieces = tok.pieces(ids);
  return ids.map((id, i) => ({ id, text: pieces[i] }));
};

/** Renders and tokenizes one row for display. */
export function previewRow(spec: TaskSpec, row: TaskRow, tok: Tokenizer): RowPreview {
  let prompt: string;
  try {
    prompt = promptText(spec, row);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    return { prompt: '', promptTokens: [], continuations: [], error: e.message };
  }
  const promptIds = tok.encode(prompt);
  const continuation = (text: string, correct: boolean): PreviewContinuation => {
    const c = continuationIds(tok, prompt, promptIds, text);
    return { text, tokens: tokens(tok, c.ids), correct, fallback: c.fallback };
  };
  const out: RowPreview = { prompt, promptTokens: tokens(tok, promptIds), continuations: [], error: null };
  if (spec.type === 'classification') {
    const label = 'label' in row ? resolveLabel(spec, row.label) : -1;
    out.continuations = (spec.label_words ?? []).map((w, i) => continuation(w, i === label));
    if (typeof label === 'string') out.error = label;
  } else if (spec.type === 'preference') {
    for (const key of ['chosen', 'rejected'] as const) {
      const text = row[key];
      if (typeof text === 'string') out.continuations.push(continuation(text, key === 'chosen'));
      else out.error = `field '${key}' is missing; preference rows need prompt, chosen and rejected`;
    }
  } else {
    const answer = spec.answer_field ? row[spec.answer_field] : undefined;
    if (typeof answer === 'string' || typeof answer === 'number') out.continuations.push(continuation(String(answer), true));
    else out.error = `field '${spec.answer_field ?? '(answer_field)'}' is missing; it is the task's answer_field`;
  }
  return out;
}
