// Learns a BlockScaleProfile for the session's model and a tuning mode: builds the run's
// trainable set (as training would), probes each block on the first training batch, and leaves
// the model exactly as it was (nothing is stepped; every probed block is copied back).
import type { BlockScaleProfile, TrainConfig } from '../api';
import { LEARN_BLOCK_SCALES_DEFAULTS, probeBlocks, profileFrom, type LearnBlockScalesOptions } from '../training/blockScales';
import type { Session } from './session';
import { startRun } from './startRun';
import { EngineStateError } from '../defs/engineError';

export async function learnBlockScales(session: Session, config: TrainConfig, options: Partial<LearnBlockScalesOptions> = {}): Promise<BlockScaleProfile> {
  if (config.objective === 'dpo' || config.objective === 'zopro') {
    throw new EngineStateError('unsupported-config', 'Learn block variances on a classification or text task: the profile belongs to the model and tuning mode, and DPO and ZOPrO runs can use it.');
  }
  const opts = { ...LEARN_BLOCK_SCALES_DEFAULTS, ...options };
  const model = session.requireModel();
  const task = session.requireTask();
  const changedBefore = session.weightsChanged;
  const run = await startRun(session, { ...config, blockScales: undefined });
  try {
    const rows = task.splits.train.slice(0, config.batch);
    const scorer = run.zo!.scorer; // a ZO run (DPO and ZOPrO are refused above)
    scorer.prepare(scorer.batch(rows, session.objectiveFor(config)));
    const stats = await probeBlocks(session.ctx, run.trainable.ranges, config.seed, (pass) => scorer.encode(pass, 0), scorer.loss.buffers.batchLoss, opts);
    return profileFrom(stats, { model: model.summary.name, mode: config.mode, task: task.name, rows: rows.length, probes: opts.probes, eps: opts.eps });
  } finally {
    session.endRun();
    session.weightsChanged = changedBefore; // every probed block was copied back exactly
  }
}
