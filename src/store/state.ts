// The one zustand store, built from slices (model, task, training, runs, ui). Components read it
// with `useStudio(selector)`; everything that changes it lives in src/store/actions/, outside
// React, so worker events (src/store/engineBridge.ts) reach it without hooks.
import { create } from 'zustand';
import type {
  AdapterReport,
  BlockScaleProfile,
  LoadProgress,
  LossCurve,
  MemoryEstimate,
  ModelSummary,
  TaskSummary,
  TrainConfig,
  WeightPrecision,
} from '../engine/api';
import type { LedgerSnapshot } from '../engine/gpu/ledger';
import type { LabelSet, ParsedTask } from '../engine/data';
import { DEFAULT_MAX_SEQ_LEN, DEFAULT_TASK } from './defaults';
import { DEFAULT_PRECISION, DEFAULT_TRAIN_CONFIG } from '../engine/config';
import type { RunMeta } from './runTypes';
import type { EvalSeries, RewardSeries, StepSeries } from './series';

export interface UserError {
  kind: string;
  message: string;
}

export type EngineStatus = 'checking' | 'starting' | 'ready' | 'no-webgpu' | 'failed';

export interface ModelSlice {
  engineStatus: EngineStatus;
  engineError: UserError | null;
  adapter: AdapterReport | null;
  sourceKind: 'demo' | 'hub' | 'files';
  hubRepo: string;
  hubRevision: string;
  /** Kept in memory only: never saved, never put in a URL. */
  hubToken: string;
  files: File[];
  precision: WeightPrecision;
  maxSeqLen: number;
  estimate: MemoryEstimate | null;
  estimateError: UserError | null;
  modelStatus: 'idle' | 'loading' | 'ready' | 'error';
  progress: LoadProgress | null;
  summary: ModelSummary | null;
  modelError: UserError | null;
  memory: { ledger: LedgerSnapshot; inferenceBaseline: number } | null;
}

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
}

export interface TrainingSlice {
  config: TrainConfig;
  preset: string | null;
  activeRunId: string | null;
  /** Measured from step arrival times over the last few steps. */
  stepsPerSecond: number | null;
  /** From a click on Start (or Train the demo, Resume, Step once) to the run's first step: what
   *  it is waiting for, shown at once so a click never looks ignored. */
  launch: { phase: LaunchPhase; runId: string | null; since: number } | null;
  /** What a run is doing before its first step (DPO's reference scores), while it lasts. */
  runProgress: { runId: string; phase: string; done: number; total: number } | null;
  trainError: UserError | null;
  evaluating: boolean;
  /** Learned block variances by profileKey (model + mode and its options), saved in IndexedDB. */
  blockProfiles: Record<string, BlockScaleProfile>;
  learningScales: boolean;
  scalesError: UserError | null;
}

export type LaunchPhase = 'model' | 'task' | 'kernels' | 'first-step';

export interface RunView {
  meta: RunMeta;
  steps: StepSeries;
  evals: EvalSeries;
  /** Reward curves of preference runs (empty for the others). */
  rewards: RewardSeries;
  recordStep: number;
  /** Bumped whenever steps/evals/rewards change in place (charts memoize on it). */
  version: number;
}

export interface RunsSlice {
  runs: Record<string, RunView>;
  runOrder: string[];
  /** Runs drawn on the charts besides the active one. */
  compare: string[];
  runsLoaded: boolean;
  runsError: UserError | null;
  /** A run that was training when the page went away (found at load), until resumed or dismissed. */
  interrupted: { runId: string; step: number } | null;
}

export interface UiSlice {
  theme: 'system' | 'light' | 'dark';
  deviceLost: string | null;
  notice: { tone: 'info' | 'warn' | 'error'; text: string } | null;
  curve: LossCurve | null;
  curveStatus: 'idle' | 'loading' | 'error';
  curveError: string | null;
  /** Speed of the animated step timeline; 0 = paused. */
  timelineSpeed: number;
  /** The presentation layout (charts, a large counter and the run buttons on one screen); ?present=1 opens it. */
  presentation: boolean;
}

export type StudioState = ModelSlice & TaskSlice & TrainingSlice & RunsSlice & UiSlice;

export const initialModel: ModelSlice = {
  engineStatus: 'checking',
  engineError: null,
  adapter: null,
  sourceKind: 'demo',
  hubRepo: '',
  hubRevision: 'main',
  hubToken: '',
  files: [],
  precision: DEFAULT_PRECISION,
  maxSeqLen: DEFAULT_MAX_SEQ_LEN,
  estimate: null,
  estimateError: null,
  modelStatus: 'idle',
  progress: null,
  summary: null,
  modelError: null,
  memory: null,
};

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
};

export const initialTraining: TrainingSlice = {
  config: DEFAULT_TRAIN_CONFIG,
  preset: 'Quick demo',
  activeRunId: null,
  stepsPerSecond: null,
  launch: null,
  runProgress: null,
  trainError: null,
  evaluating: false,
  blockProfiles: {},
  learningScales: false,
  scalesError: null,
};

export const initialRuns: RunsSlice = { runs: {}, runOrder: [], compare: [], runsLoaded: false, runsError: null, interrupted: null };

export const initialUi: UiSlice = {
  theme: 'system',
  deviceLost: null,
  notice: null,
  curve: null,
  curveStatus: 'idle',
  curveError: null,
  timelineSpeed: 1,
  presentation: typeof location !== 'undefined' && /^(1|true|yes)$/i.test(new URLSearchParams(location.search).get('present') ?? ''),
};

export const useStudio = create<StudioState>()(() => ({
  ...initialModel,
  ...initialTask,
  ...initialTraining,
  ...initialRuns,
  ...initialUi,
}));

export const getState = useStudio.getState;
export const setState = useStudio.setState;

/** Turns anything thrown into what the UI shows. */
export function userError(error: unknown): UserError {
  if (error instanceof Error) {
    const kind = (error as { kind?: unknown }).kind;
    return { kind: typeof kind === 'string' ? kind : error.name, message: error.message };
  }
  return { kind: 'internal', message: String(error) };
}
