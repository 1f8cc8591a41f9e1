// What a run is, as the app stores it: its full config (so it replays), where its model and task
// came from (never a token), its metrics and the engine's checkpoint record bytes.
import type { TrainConfig, WeightPrecision } from '../engine/api';
import type { TaskSpec } from '../engine/data/task';
import type { EvalSeries, RewardSeries, StepSeries } from './series';

export type RunState = 'created' | 'running' | 'paused' | 'stopped' | 'finished' | 'failed';

/** A model source that can be written down: a Hub token is never part of it. */
export type SavedModelSource =
  | { kind: 'demo' }
  | { kind: 'hub'; repo: string; revision?: string }
  | { kind: 'files'; label: string };

export interface RunMeta {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  config: TrainConfig;
  model: { source: SavedModelSource; precision: WeightPrecision; name: string; maxSeqLen: number };
  /** Demo task name, or the name of an uploaded task saved alongside the runs. */
  task: { name: string; demo: boolean; spec: TaskSpec };
  state: RunState;
  error?: string;
  /** Why the run was stopped by itself, or that its loss is climbing (engine RunWarning). */
  warning?: string;
}

export interface StoredRun {
  version: 1;
  meta: RunMeta;
  steps: StepSeries;
  evals: EvalSeries;
  /** Preference-run curves; absent in runs saved before they existed (read with rewardsFrom). */
  rewards?: RewardSeries;
  /** The run's record (zo/record.ts) at the last save, built from its events: what resume continues from. */
  record: Uint8Array | null;
  /** Last step the record covers (the series may run a step ahead of it). */
  recordStep: number;
}

/** Whether a run trains on preferences (ZO-DPO, ZOPrO): it streams reward curves. */
export function preferenceObjective(config: TrainConfig): config is TrainConfig & { objective: 'dpo' | 'zopro' } {
  return config.objective === 'dpo' || config.objective === 'zopro';
}

export function describeSource(source: SavedModelSource): string {
  switch (source.kind) {
    case 'demo':
      return 'Demo model';
    case 'hub':
      return `${source.repo}${source.revision ? `@${source.revision}` : ''}`;
    case 'files':
      return source.label;
  }
}
