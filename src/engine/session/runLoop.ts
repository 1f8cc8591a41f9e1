// Drives a run step by step: emits step metrics as they arrive, evaluates every `evalEvery`
// steps, and stops cleanly on pause/stop requests between steps (losing at most the step in
// flight, whose metrics are drained first), or by itself when the run diverges (DivergenceWatch).
// Yields to the event loop every step so control messages reach it.
import type { EngineEvent, EvalMetrics, StepMetrics, TrainConfig } from '../api';
import { DivergenceWatch } from '../training/divergence';
import type { Session } from './session';

/** `pauseAfter`: pause once this many steps are done (Step once: the run's count + 1). */
export type RunControl = { requested: 'none' | 'pause' | 'stop'; pauseAfter?: number };

export interface RunLoopHooks {
  emit(event: EngineEvent): void;
  /** The caller already evaluated the starting weights (the CLI's zero-shot line). */
  skipInitialEval?: boolean;
  onStep?(metrics: StepMetrics): void;
  onEval?(metrics: EvalMetrics): void;
}

export async function runLoop(session: Session, runId: string, config: TrainConfig, control: RunControl, hooks: RunLoopHooks): Promise<'paused' | 'stopped' | 'finished'> {
  const run = session.run;
  if (!run) throw new Error('no run to drive');
  const trainer = run.trainer;
  const watch = new DivergenceWatch();
  let diverged = false;
  const emitStep = (m: StepMetrics | null) => {
    if (!m) return;
    hooks.onStep?.(m);
    hooks.emit({ kind: 'step', runId, metrics: m });
    const warning = watch.observe(m);
    if (!warning) return;
    hooks.emit({ kind: 'run-warning', runId, warning });
    if (warning.stop) diverged = true;
  };
  const evaluate = async (step: number) => {
    const metrics = await session.evaluate(config.evalSplit, config.evalLimit, step);
    hooks.onEval?.(metrics);
    hooks.emit({ kind: 'eval', runId, metrics });
    // Preference runs (ZO-DPO) add their reward curves on the train subset and the eval split.
    for (const reward of (await run.preferenceEval?.(step)) ?? []) hooks.emit({ kind: 'reward', runId, metrics: reward });
  };
  hooks.emit({ kind: 'run-state', runId, state: 'running' });
  if (trainer.stepsDone === 0 && config.evalEvery > 0 && !hooks.skipInitialEval && control.requested === 'none') await evaluate(0);
  while (trainer.stepsSubmitted < config.steps) {
    if (control.pauseAfter !== undefined && trainer.stepsSubmitted >= control.pauseAfter && control.requested === 'none') control.requested = 'pause';
    if (control.requested !== 'none' || diverged) break;
    emitStep(await trainer.advance());
    const submitted = trainer.stepsSubmitted;
    if (config.evalEvery > 0 && submitted % config.evalEvery === 0) {
      emitStep(await trainer.drain());
      await evaluate(trainer.stepsDone);
    }
    await new Promise((r) => setTimeout(r, 0));
  }
  emitStep(await trainer.drain());
  const outcome = control.requested === 'pause' ? 'paused' : control.requested === 'stop' || diverged ? 'stopped' : 'finished';
  if (outcome === 'finished' && config.evalEvery > 0 && trainer.stepsDone % config.evalEvery !== 0) await evaluate(trainer.stepsDone);
  hooks.emit({ kind: 'run-state', runId, state: outcome });
  return outcome;
}
