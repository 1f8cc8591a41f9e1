// The runs the user made: each run's meta and series, their order, the compared ones. Changed by
// ./actions.ts (and the engine bridge, which appends each run's events).
import type { RunMeta } from '../runTypes';
import type { EvalSeries, RewardSeries, StepSeries } from '../series';
import type { UserError } from '../userError';

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
  /** The run whose weights the engine holds (EngineEvent 'run-held'): it continues in place and
   *  generation samples from it. */
  heldRunId: string | null;
  /** A run that was training when the page went away (found at load), until resumed or dismissed. */
  interrupted: { runId: string; step: number } | null;
}

export const initialRuns: RunsSlice = { runs: {}, runOrder: [], compare: [], runsLoaded: false, runsError: null, heldRunId: null, interrupted: null };
