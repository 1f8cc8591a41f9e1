// The engine as the app sees it: what the Web Worker wraps (src/worker/) and what the CLI
// drives. Everything crossing this boundary is structured-cloneable plain data.
import type { LedgerSnapshot } from './gpu/ledger';
import type { AdapterSummary, GpuFeatures, GpuLimitsSummary } from './gpu/context';
import type { TaskSpec, TaskRow } from './data/task';

export type WeightPrecision = 'f32' | 'f16' | 'q8' | 'q4';

export type ModelSource =
  | { kind: 'demo' }
  | { kind: 'hub'; repo: string; revision?: string; token?: string; endpoint?: string }
  | { kind: 'url'; url: string }
  /** Files the user picked or dropped (a folder's files, or one .gguf). */
  | { kind: 'files'; files: File[] };

export interface LoadModelRequest {
  source: ModelSource;
  precision: WeightPrecision;
  /** Largest batch x sequence the activations are sized for. */
  maxBatch: number;
  maxSeqLen: number;
}

export interface ModelSummary {
  name: string;
  architecture: string;
  parameters: number;
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  vocab: number;
  precision: WeightPrecision;
  /** sha-256 of each weight file, hex: the identity a run records. */
  fileHashes: Record<string, string>;
  hasChatTemplate: boolean;
}

export interface AdapterReport {
  adapter: AdapterSummary;
  features: GpuFeatures;
  limits: GpuLimitsSummary;
}

export interface LoadProgress {
  file: string;
  loadedBytes: number;
  totalBytes: number;
  bytesPerSecond: number;
  secondsLeft: number | null;
  phase: 'download' | 'cache' | 'upload' | 'quantize';
}

export interface TaskInput {
  spec: TaskSpec;
  splits: Record<string, TaskRow[]>;
}

export type TuningMode = 'full' | 'lora' | 'sparse';
export type OptimizerName = 'zo-sgd' | 'zo-sgd-sign' | 'zo-sgd-momentum' | 'zo-sgd-cons' | 'zo-adam';
export type Objective = 'classification' | 'lm' | 'neg-accuracy' | 'dpo' | 'zopro';
export type LrSchedule = 'constant' | 'linear' | 'cosine';

export interface TrainConfig {
  mode: TuningMode;
  optimizer: OptimizerName;
  objective: Objective;
  steps: number;
  lr: number;
  eps: number;
  batch: number;
  /** Perturbations averaged per step (MeZO's n). */
  q: number;
  seed: number;
  weightDecay: number;
  schedule: LrSchedule;
  /** Clip |projected gradient| to this value (0 = off). */
  clip: number;
  oneSided: boolean;
  evalEvery: number;
  evalSplit: string;
  /** Dev rows used for each evaluation (0 = all). */
  evalLimit: number;
  lora?: { rank: number; alpha: number; targets: string[] };
  sparse?: { fraction: number; score: 'activation' | 'magnitude' | 'random'; calibrationRows: number };
  momentum?: number;
}

export interface StepMetrics {
  step: number;
  lossPlus: number;
  lossMinus: number;
  /** Mean of (L+ + L-)/2: the loss at the current weights, to first order. */
  loss: number;
  projectedGrad: number;
  lr: number;
  seed: number;
  millis: number;
}

export interface EvalMetrics {
  step: number;
  split: string;
  accuracy: number;
  loss: number;
  n: number;
}

export type EngineEvent =
  | { kind: 'load-progress'; progress: LoadProgress }
  | { kind: 'step'; runId: string; metrics: StepMetrics }
  | { kind: 'eval'; runId: string; metrics: EvalMetrics }
  | { kind: 'memory'; ledger: LedgerSnapshot; inferenceBaseline: number }
  | { kind: 'run-state'; runId: string; state: 'running' | 'paused' | 'stopped' | 'finished' | 'failed'; error?: string }
  | { kind: 'device-lost'; message: string };
