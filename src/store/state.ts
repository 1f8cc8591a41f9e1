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
import type { ParsedTask } from '../engine/data';
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
  labelWords: string;
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
  /** Rows longer than the model's maximum sequence length: left out, or truncated from the left. */
  longRows: 'skip' | 'truncate';
}

export interface TrainingSlice {
  config: TrainConfig;
  preset: string | null;
  activeRunId: string | null;
  /** Measured from step arrival times over the last few steps. */
  stepsPerSecond: number | null;
  /** What a run is doing before its first step (DPO's reference scores), while it lasts. */
  runProgress: { runId: string; phase: string; done: number; total: number } | null;
  trainError: UserError | null;
  evaluating: boolean;
  /** Learned block variances by profileKey (model + mode and its options), saved in IndexedDB. */
  blockProfiles: Record<string, BlockScaleProfile>;
  learningScales: boolean;
  scalesError: UserError | null;
}

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
  longRows: 'skip',
};

export const initialTraining: TrainingSlice = {
  config: DEFAULT_TRAIN_CONFIG,
  preset: 'Quick demo',
  activeRunId: null,
  stepsPerSecond: null,
  runProgress: null,
  trainError: null,
  evaluating: false,
  blockProfiles: {},
  learningScales: false,
  scalesError: null,
};

export const initialRuns: RunsSlice = { runs: {}, runOrder: [], compare: [], runsLoaded: false, runsError: null };

export const initialUi: UiSlice = {
  theme: 'system',
  deviceLost: null,
  notice: null,
  curve: null,
  curveStatus: 'idle',
  curveError: null,
  timelineSpeed: 1,
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
