// A task: JSONL rows plus task.json, in the format of ../shared/demo-data/ (the reference).
// Classification tasks score each label word after the rendered prompt (MeZO's candidate
// scoring); preference tasks hold (prompt, chosen, rejected) pairs.

export type TaskType = 'classification' | 'preference' | 'generation';

export interface TaskSpec {
  name: string;
  type: TaskType;
  description?: string;
  /** Template with {field} placeholders, e.g. "{text}\nThis is a kind of". */
  prompt_template: string;
  /** Classification: the candidate completions, e.g. [" animal", " plant"]. */
  label_words?: string[];
  labels?: string[];
  /** Generation / LM loss: the field holding the answer text. */
  answer_field?: string;
  [extra: string]: unknown;
}

export type TaskRow = Record<string, unknown>;

export interface Task {
  spec: TaskSpec;
  splits: Record<string, TaskRow[]>;
}
