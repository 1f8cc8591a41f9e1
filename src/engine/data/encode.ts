// Rows to token ids for MeZO-style scoring (Malladi et al. 2023, "Fine-Tuning Language Models
// with Just Forward Passes", sec. 3 / app. E): candidate_i = prompt + label_word_i, scored by
// the mean log-prob of the candidate's own tokens. A continuation's tokens are those of
// tokenize(prompt + continuation) after tokenize(prompt); when BPE merges across the boundary
// (the prefix property fails) the continuation is tokenized alone and the row is flagged.
import { renderTemplate } from './template';
import type { TaskRow, TaskSpec } from './task';
import type { Tokenizer } from './tokenizer';

export interface EncodedClassification {
  /** The rendered prompt's ids, with the tokenizer's leading <s>. */
  promptIds: number[];
  /** Token ids of each label word appended after the prompt. */
  candidates: number[][];
  label: number;
  /** Indices of candidates whose tokens did not extend the prompt's (tokenized alone instead). */
  fallbacks: number[];
}

export interface EncodedPreference {
  promptIds: number[];
  chosenIds: number[];
  rejectedIds: number[];
  /** Which responses were tokenized alone because the prefix property failed. */
  fallbacks: ('chosen' | 'rejected')[];
}

export interface EncodedLm {
  ids: number[];
  /** true where the token is an answer token to score (predicted from the position before). */
  lossMask: boolean[];
  /** The answer was tokenized alone because the prefix property failed. */
  fallback: boolean;
}

export interface EncodeLmOptions {
  /** Append </s> after the answer (and score it), so the model learns to stop. Default false. */
  appendEos?: boolean;
}

/** The ids `continuation` adds after `promptIds` (which were encoded from `prompt`). */
export function continuationIds(
  tok: Tokenizer,
  prompt: string,
  promptIds: readonly number[],
  continuation: string,
): { ids: number[]; fallback: boolean } {
  const full = tok.encode(prompt + continuation);
  const isPrefix = full.length > promptIds.length && promptIds.every((id, i) => full[i] === id);
  if (isPrefix) return { ids: full.slice(promptIds.length), fallback: false };
  return { ids: tok.encode(continuation, { addSpecialTokens: false }), fallback: true };
}

/** The prompt text of a row: the rendered template, or a preference row's own prompt. */
export function promptText(spec: TaskSpec, row: TaskRow): string {
  if (spec.type === 'preference' && typeof row.prompt === 'string') return row.prompt;
  return renderTemplate(spec.prompt_template, row);
}

export function encodeClassification(spec: TaskSpec, row: TaskRow, tok: Tokenizer): EncodedClassification {
  const words = spec.label_words;
  if (!words?.length) throw new Error(`task '${spec.name}' has no label_words; only classification tasks have candidates`);
  const label = row.label;
  if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label >= words.length) {
    throw new Error(`row label ${String(label)} is not an index into label_words; validate rows first (validateRows)`);
  }
  const prompt = promptText(spec, row);
  const promptIds = tok.encode(prompt);
  const candidates: number[][] = [];
  const fallbacks: number[] = [];
  words.forEach((word, i) => {
    const c = continuationIds(tok, prompt, promptIds, word);
    candidates.push(c.ids);
    if (c.fallback) fallbacks.push(i);
  });
  return { promptIds, candidates, label, fallbacks };
}

export function encodePreference(spec: TaskSpec, row: TaskRow, tok: Tokenizer): EncodedPreference {
  const prompt = promptText(spec, row);
  const promptIds = tok.encode(prompt);
  const fallbacks: EncodedPreference['fallbacks'] = [];
  const side = (key: 'chosen' | 'rejected'): number[] => {
    const text = row[key];
    if (typeof text !== 'string') throw new Error(`preference row has no '${key}' text; validate rows first (validateRows)`);
    const c = continuationIds(tok, prompt, promptIds, text);
    if (c.fallback) fallbacks.push(key);
    return c.ids;
  };
  return { promptIds, chosenIds: side('chosen'), rejectedIds: side('rejected'), fallbacks };
}

/** The answer text for the LM loss: answer_field, the right label word, or the chosen response. */
export function answerText(spec: TaskSpec, row: TaskRow): string {
  if (spec.type === 'classification') {
    const word = spec.label_words?.[row.label as number];
    if (word === undefined) throw new Error(`row label ${String(row.label)} is not an index into label_words`);
    return word;
  }
  if (spec.type === 'preference') return String(row.chosen);
  const field = spec.answer_field;
  if (!field) throw new Error(`task '${spec.name}' has no answer_field`);
  const value = row[field];
  if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`row has no answer in field '${field}'`);
  return String(value);
}

/** prompt + answer as one sequence for the language-model loss on the answer tokens only. */
export function encodeLm(spec: TaskSpec, row: TaskRow, tok: Tokenizer, options: EncodeLmOptions = {}): EncodedLm {
  const prompt = promptText(spec, row);
  const promptIds = tok.encode(prompt);
  const answer = continuationIds(tok, prompt, promptIds, answerText(spec, row));
  const answerIds = [...answer.ids];
  if (options.appendEos && tok.eosId !== null) answerIds.push(tok.eosId);
  return {
    ids: [...promptIds, ...answerIds],
    lossMask: [...promptIds.map(() => false), ...answerIds.map(() => true)],
    fallback: answer.fallback,
  };
}
