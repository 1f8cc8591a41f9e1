// The rewriter and judge prompts of OAT-Rephrase (arXiv 2506.17264), in this project's words,
// as editable templates with {variables}. The rewriter is told how zeroth-order fine-tuning
// estimates gradients, so it knows why clear, label-consistent phrasing helps.
import type { TaskSpec } from '../engine/data/task';
import type { RowRecord } from './rows';

/** Variables both templates may use; unknown {names} are left as they are. */
export interface PromptVariables {
  /** The task's description from task.json. */
  task_description: string;
  /** The prompt template the model is trained with, e.g. "{text}\nThis is a kind of". */
  prompt_template: string;
  /** The candidate label words, comma-separated and quoted. */
  label_words: string;
  /** This row's label word (classification), or "(none)". */
  label: string;
  /** The field names to rewrite, comma-separated. */
  fields: string;
  /** This row's fields to rewrite, as a JSON object (rewriter and judge). */
  example: string;
  /** The rewriter's output, as a JSON object (judge only). */
  rewrite: string;
}

export const DEFAULT_REWRITER_TEMPLATE = `You are rewriting one training example for a language model that will be fine-tuned with zeroth-order optimization (MeZO).

How that fine-tuning works: it never computes a gradient. At each step it draws a random direction z, nudges all weights by +eps*z and by -eps*z, and measures the training loss on a small batch both times. The difference of those two loss values, divided by 2*eps, is its only estimate of how the loss changes along z; the weights then move along z by that amount. Because the whole update rests on two noisy loss values, anything that makes the loss on an example erratic makes the estimate noisy and training slow: ambiguous wording, rare or convoluted phrasing, irrelevant detail, or text that points toward a different label than the true one.

Your goal: rephrase the example so the model's loss on it is as smooth and informative as possible. Write clear, plain, unambiguous English; keep every fact needed to decide the label; make the wording consistent with the correct label without stating the label word itself; do not add facts, do not drop distinguishing facts, keep roughly the same length.

Task: {task_description}
The model sees the text through this template: {prompt_template}
Possible labels: {label_words}
Correct label of this example: {label}

Example to rewrite (JSON):
{example}

Answer with strict JSON only: one object with exactly the keys {fields}, each a string holding your rewrite of that field. No explanations, no code fences.`;

export const DEFAULT_JUDGE_TEMPLATE = `You are checking a rewrite of a training example. Accept it only if both hold:
1. It means the same as the original: no fact added, removed or changed that matters for the task.
2. Its correct label is still {label} (possible labels: {label_words}); a reader would not now pick another label.

Task: {task_description}

Original (JSON):
{example}

Rewrite (JSON):
{rewrite}

Answer with strict JSON only: {"verdict": "accept" or "reject", "reason": "<one short sentence>"}. No code fences.`;

/** Replaces {name} for every known variable; other braces (such as JSON in the text) stay. */
export function renderTemplate(template: string, vars: Partial<PromptVariables>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, name: string) => {
    const value = (vars as Record<string, string | undefined>)[name];
    return value === undefined ? whole : value;
  });
}

/** The variables a template refers to that are not known (typos in the UI editor). */
export function unknownVariables(template: string): string[] {
  const known = new Set<string>(['task_description', 'prompt_template', 'label_words', 'label', 'fields', 'example', 'rewrite']);
  const found = [...template.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!);
  return [...new Set(found.filter((name) => !known.has(name)))];
}

/** The variables for one row of a task (values are JSON or quoted so the model sees exact text). */
export function promptVariables(spec: TaskSpec, row: RowRecord, fields: readonly string[]): PromptVariables {
  const quoted = (spec.label_words ?? spec.labels ?? []).map((w) => `"${w.trim()}"`);
  return {
    task_description: spec.description ?? spec.name,
    prompt_template: JSON.stringify(spec.prompt_template),
    label_words: quoted.length ? quoted.join(', ') : '(none)',
    label: row.label === '(none)' ? row.label : `"${row.label}"`,
    fields: fields.map((f) => `"${f}"`).join(', '),
    example: JSON.stringify(row.original),
    rewrite: JSON.stringify(row.rewrite ?? {}),
  };
}
