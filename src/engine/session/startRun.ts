// The one way a run starts, whatever its objective: startRun(session, config, resume?) picks the
// implementation (ZO over a ZoTrainer for classification / LM / negative accuracy, ZO-DPO,
// ZOPrO), resumes it from its record when given one, and makes it the session's current run.
// The engine and the CLI both call this, then drive the run with runLoop.ts.
import type { TrainConfig } from '../api';
import { startDpoRun } from '../preference/dpoRun';
import { startZoproRun } from '../preference/zoproRun';
import type { RewardSource } from '../preference/rewards';
import { EngineStateError } from '../defs/engineError';
import { ZoTrainer } from '../training/trainer';
import type { TrainableSet } from '../training/trainable';
import { resumableTrainer, TrainerRun, type Run } from './run';
import type { Session } from './session';

export interface StartRunOptions {
  /** Kept in the record's header next to the config (the app's run id, the CLI's source). */
  meta?: Record<string, unknown>;
  /** A trainable set already built (the CLI's --adapter reads a PEFT adapter into one). */
  prebuilt?: TrainableSet;
  /** Work before the first step (ZO-DPO scores every pair with the start model). */
  onProgress?: (phase: string, done: number, total: number) => void;
  /** ZOPrO: a reward other than the config's rule (a verbalizer model, an LLM judge). */
  reward?: RewardSource;
}

/** Starts a run, or continues one from its encoded record (replayed onto the loaded weights). */
export async function startRun(session: Session, config: TrainConfig, resume?: Uint8Array, options: StartRunOptions = {}): Promise<Run> {
  // What every record's header keeps next to the hyperparameters (zo/record.ts).
  // (Read loosely: each objective says itself what it needs when the model or the task is missing.)
  const recordMeta = () => ({ config, model: session.model?.summary.name, fileHashes: session.model?.summary.fileHashes, task: session.task?.name, ...options.meta });
  if (config.rowDerivatives && (config.objective === 'zopro' || config.objective === 'dpo')) {
    throw new EngineStateError('unsupported-config', 'Per-row directional derivatives are recorded for classification and text runs, not DPO or ZOPrO: turn the option off.');
  }
  if (config.objective === 'zopro') return session.setRun(await startZoproRun(session, config, resume, options.reward, recordMeta()));
  const prepared = await session.prepareTrainerRun(config, options.prebuilt);
  const { ctx, model, train, trainable, hyper, forward } = prepared;
  const meta = recordMeta();
  try {
    if (config.objective === 'dpo') {
      // ZO-DPO scores its reference with the start weights, before any replay (preference/dpoRun.ts).
      const onProgress = (done: number, total: number) => options.onProgress?.('Scoring the pairs with the start model (DPO reference)', done, total);
      return session.setRun(await startDpoRun(prepared, { config, resumeRecord: resume, meta, onProgress }));
    }
    const trainer = await resumableTrainer(prepared, config, resume, (resumed) =>
      new ZoTrainer({ ctx, forward, trainable, hyper, objective: session.objectiveFor(config), train, batchSize: config.batch, padId: model.tokenizer.padId, meta, rowDerivatives: config.rowDerivatives }, resumed),
    );
    return session.setRun(new TrainerRun(config, trainable, trainer));
  } catch (e) {
    if (!options.prebuilt) trainable.release?.();
    throw e;
  }
}
