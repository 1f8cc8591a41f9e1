// The task panel's state: the chosen or uploaded task, its template, validation and whether the
// engine holds it. Changed by ./actions.ts, ./upload.ts and ./template.ts.
import type { TaskSummary } from '../../engine/api';
import type { LabelSet, ParsedTask } from '../../engine/data';
import { DEFAULT_TASK } from '../defaults';
import type { UserError } from '../userError';

export interface UploadDraft {
  fileName: string;
  format: 'jsonl' | 'csv';
  text: string;
  columns: string[];
  /** CSV column -> task field. */
  mapping: Record<string, string>;
  type: 'classification' | 'preference';
  /** Label values, comma-separated: inferred from every row of the file, editable. */
  labels: string;
  /** The words the model scores, comma-separated, one per label in the same order. */
  labelWords: string;
  /** What the file's label column holds (all rows), for the form to show. */
  found: LabelSet | null;
}

export interface TaskSlice {
  taskChoice: string;
  upload: UploadDraft | null;
  template: string;
  parsed: ParsedTask | null;
  taskStatus: 'idle' | 'loading' | 'ready' | 'error';
  /** The engine's view of the task once set (row counts, its own problems). */
  taskSummary: TaskSummary | null;
  taskError: UserError | null;
  /** Whether the engine holds exactly `parsed` (false after an edit until applied). */
  taskApplied: boolean;
  /** Uploaded tasks kept in IndexedDB (their names), listed until the user deletes them. */
  savedUploads: string[];
  /** Why the last file picked was not taken (the current task stays as it was). */
  uploadRejected: UserError | null;
  /** Rows longer than the model's maximum sequence length: left out, or truncated from the left. */
  longRows: 'skip' | 'truncate';
  /** The row the task's row table shows highlighted (a click in the influence view), or null. */
  rowFocus: { split: string; index: number } | null;
}

export const initialTask: TaskSlice = {
  taskChoice: DEFAULT_TASK,
  upload: null,
  template: '',
  parsed: null,
  taskStatus: 'idle',
  taskSummary: null,
  taskError: null,
  taskApplied: false,
  savedUploads: [],
  uploadRejected: null,
  longRows: 'skip',
  rowFocus: null,
};
