// The training panel's state: the config and preset, the active run's launch and progress, and
// learned block variances. Changed by ./actions.ts and ./blockScales.ts.
import type { BlockScaleProfile, TrainConfig } from '../../engine/api';
import { DEFAULT_TRAIN_CONFIG } from '../../engine/config';
import type { UserError } from '../userError';

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
