// The one loop that drives a run, whatever its objective (session/run.ts), for the engine and the
// CLI alike: emits each step's metrics (and ZOPrO's reward point) as they arrive, evaluates every
// `evalEvery` steps, and stops cleanly on pause/stop requests between steps (losing at most the
// step in flight, whose metrics are drained first), or by itself when the run diverges
// (DivergenceWatch). Yields to the event loop every step so control messages reach it.
import type { EngineEvent, EvalMetrics } from '../api';
import { DivergenceWatch } from '../training/divergence';
import type { StepOutcome } from './run';
import type { Session } from './session';
import { EngineStateError } from '../defs/engineError';

/** `pauseAfter`: pause once this many steps are done (Step once: the run's count + 1). */
export type RunControl = { requested: 'none' | 'pause' | 'stop'; pauseAfter?: number };

export interface RunLoopHooks {
  emit(event: EngineEvent): void;
  /** The caller already evaluated the starting weights (the CLI's zero-shot line). */
  skipInitialEval?: boolean;
  onStep?(outcome: StepOutcome): void;
  onEval?(metrics: EvalMetrics): void;
}

export async function runLoop(session: Session, runId: string, control: RunControl, hooks: RunLoopHooks): Promise<'paused' | 'stopped' | 'finished'> {
  const run = session.run;
  if (!run) throw new EngineStateError('no-run', 'no run to drive: start one first');
  const { config } = run;
  const evalEvery = run.evaluatesTask ? config.evalEvery : 0;
  const watch = new DivergenceWatch(run.divergence);
  let diverged = false;
  // Events count steps done (api.ts EngineEvent): the step with 0-based index k is step k + 1.
  const emitStep = (outcome: StepOutcome | null) => {
    if (!outcome) return;
    hooks.onStep?.(outcome);
    const done = outcome.metrics.step + 1;
    hooks.emit({ kind: 'step', runId, metrics: { ...outcome.metrics, step: done }, entry: outcome.entry });
    if (outcome.reward) hooks.emit({ kind: 'reward', runId, metrics: { ...outcome.reward, step: done } });
    const warning = watch.observe(outcome.metrics);
    if (!warning) return;
    hooks.emit({ kind: 'run-warning', runId, warning: { ...warning, step: warning.step + 1 } });
    if (warning.stop) diverged = true;
  };
  const evaluate = async (step: number) => {
    const metrics = await session.evaluate(config.evalSplit, config.evalLimit, step);
    hooks.onEval?.(metrics);
    hooks.emit({ kind: 'eval', runId, metrics });
    // Preference runs (ZO-DPO) add their reward curves on the train subset and the eval split.
    for (const reward of await run.evaluations(step)) hooks.emit({ kind: 'reward', runId, metrics: reward });
  };
  // The record the step entries extend: the steps a resumed run replayed (none for a new run).
  hooks.emit({ kind: 'run-record', runId, record: run.encodeRecord(), stepsDone: run.stepsDone });
  hooks.emit({ kind: 'run-state', runId, state: 'running' });
  if (run.stepsDone === 0 && evalEvery > 0 && !hooks.skipInitialEval && control.requested === 'none') await evaluate(0);
  while (run.stepsSubmitted < config.steps) {
    if (control.pauseAfter !== undefined && run.stepsSubmitted >= control.pauseAfter && control.requested === 'none') control.requested = 'pause';
    if (control.requested !== 'none' || diverged) break;
    emitStep(await run.advance());
    const submitted = run.stepsSubmitted;
    if (evalEvery > 0 && submitted % evalEvery === 0) {
      emitStep(await run.drain());
      await evaluate(run.stepsDone);
    }
    await new Promise((r) => setTimeout(r, 0));
  }
  emitStep(await run.drain());
  const outcome = control.requested === 'pause' ? 'paused' : control.requested === 'stop' || diverged ? 'stopped' : 'finished';
  if (outcome === 'finished' && evalEvery > 0 && run.stepsDone % evalEvery !== 0) await evaluate(run.stepsDone);
  hooks.emit({ kind: 'run-state', runId, state: outcome });
  return outcome;
}
