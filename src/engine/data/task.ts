// A task: JSONL rows plus task.json, in the format of public/demo-data/.
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

/**
 * One thing wrong with the task, found while loading. `row` is the 1-based line of the file
 * where the row starts (JSONL: its line; CSV: the line its record starts on, the header being
 * line 1); 0 for problems with task.json itself or with a whole split.
 */
export interface TaskProblem {
  split: string;
  row: number;
  message: string;
}

/** A task as loaded: the rows that validated, and every problem met on the way. */
export interface ParsedTask extends Task {
  problems: TaskProblem[];
  /** The file line of each kept row, per split (parallel to `splits`), when read from files. */
  lines?: Record<string, number[]>;
}

/** A chat message for tokenizers with a chat template. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | (string & {});
  content: string;
}
