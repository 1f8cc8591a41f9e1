// The OAT-Rephrase panel's own small store: endpoint settings (the API key in memory only),
// prompt and job settings, the open job's rows and progress, and the saved jobs of the current
// task. Everything that changes it lives outside React: ./settings.ts (settings, keys,
// connection test), ./actions.ts (the job), ./task.ts (use, export/import, A/B).
import { create } from 'zustand';
import { DEFAULT_JUDGE_TEMPLATE, DEFAULT_REWRITER_TEMPLATE, REPHRASE_DEFAULTS, type JobProgress, type JobStatus, type RephraseMode, type RowRecord } from '../../rephrase';

/** The settings a user types in; `apiKey`/`judgeApiKey` are never persisted by this store. */
export interface RephraseSettings {
  baseUrl: string;
  model: string;
  apiKey: string;
  /** Empty: the judge uses the rewriter's endpoint / model. */
  judgeBaseUrl: string;
  judgeModel: string;
  judgeApiKey: string;
  /** Opt-in: keys go to their own IndexedDB store (KeyVault), nowhere else. */
  remember: boolean;
  rewriterTemplate: string;
  judgeTemplate: string;
  mode: RephraseMode;
  concurrency: number;
  /** Rows of each rewritten split (0 = all). */
  limit: number;
}

/** A job as the saved-jobs list shows it (an index kept next to the jobs; no key). */
export interface JobIndexEntry {
  id: string;
  taskName: string;
  createdAt: number;
  updatedAt: number;
  model: string;
  judgeModel: string;
  mode: RephraseMode;
  limit: number;
  total: number;
  accepted: number;
  rejected: number;
  failed: number;
  pending: number;
  status: JobStatus;
}

export type ConnectionState =
  | { state: 'idle' }
  | { state: 'testing' }
  | { state: 'ok'; latencyMs: number; reply: string; target: string }
  | { state: 'error'; kind: string; message: string; target: string };

export interface RephraseState {
  settings: RephraseSettings;
  connection: ConnectionState;
  judgeConnection: ConnectionState;
  /** The open job (null before one is started or opened). */
  jobId: string | null;
  jobTask: string | null;
  jobStatus: JobStatus;
  jobError: string | null;
  progress: JobProgress | null;
  rows: RowRecord[];
  /** Retries reported by the job in this session, and the last one's reason. */
  retries: number;
  lastRetry: string | null;
  savedJobs: JobIndexEntry[];
  /** What happened last with the rephrased task (use, export, import, A/B). */
  message: { tone: 'info' | 'error'; text: string } | null;
  /** The name under which the rephrased task was handed to the task panel. */
  usedTask: string | null;
  ab: { state: 'idle' | 'running' | 'done' | 'error'; arm?: 'original' | 'rephrased'; runIds: string[]; text?: string };
}

export const DEFAULT_REPHRASE_SETTINGS: RephraseSettings = {
  baseUrl: 'http://localhost:11434/v1',
  model: '',
  apiKey: '',
  judgeBaseUrl: '',
  judgeModel: '',
  judgeApiKey: '',
  remember: false,
  rewriterTemplate: DEFAULT_REWRITER_TEMPLATE,
  judgeTemplate: DEFAULT_JUDGE_TEMPLATE,
  mode: REPHRASE_DEFAULTS.mode,
  concurrency: REPHRASE_DEFAULTS.concurrency,
  limit: 20,
};

export const useRephrase = create<RephraseState>()(() => ({
  settings: DEFAULT_REPHRASE_SETTINGS,
  connection: { state: 'idle' },
  judgeConnection: { state: 'idle' },
  jobId: null,
  jobTask: null,
  jobStatus: 'idle',
  jobError: null,
  progress: null,
  rows: [],
  retries: 0,
  lastRetry: null,
  savedJobs: [],
  message: null,
  usedTask: null,
  ab: { state: 'idle', runIds: [] },
}));

export const getRephrase = useRephrase.getState;
export const setRephrase = useRephrase.setState;
