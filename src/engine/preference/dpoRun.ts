// Starting a ZO-DPO run inside a Session: score every train row (and the evaluation rows) with
// the start model once, then (on resume) replay the record, then hand the DPO-configured ZoTrainer to the
// session's run loop. Evaluations add DPO curves (loss, implicit reward margin, reward
// accuracy) on a fixed train subset and on the evaluation split.
import type { RewardMetrics, TrainConfig } from '../api';
import { TaskScorer } from '../training/scorer';
import type { EncodedExample } from '../training/batches';
import { EVAL_BATCH, resumableTrainer, TrainerRun, type PreparedRun, type Run } from '../session/run';
import { dpoTrainer, dpoMetrics, pairScores } from './dpo';
import { DEFAULT_DPO, DPO_TRAIN_EVAL_ROWS } from '../config/defaults';
import { EngineStateError } from '../defs/engineError';

export interface DpoRunDeps {
  config: TrainConfig;
  resumeRecord?: Uint8Array;
  /** The record header's meta (config, model, task, ...). */
  meta: Record<string, unknown>;
  /** Pairs scored with the start model so far, of all that need it (train, then eval rows). */
  onProgress?: (done: number, total: number) => void;
}

export async function startDpoRun(prepared: PreparedRun, d: DpoRunDeps): Promise<Run> {
  const { ctx, model, task, trainable, forward, hyper } = prepared;
  if (task.type !== 'preference') throw new EngineStateError('task-unsuitable', `objective dpo needs a preference task (prompt, chosen, rejected); ${task.name} is ${task.type}`);
  const { config } = d;
  const beta = config.dpo?.beta ?? DEFAULT_DPO.beta;
  const train = task.splits.train;
  const evalRows = (task.splits[config.evalSplit] ?? []).slice(0, config.evalLimit > 0 ? config.evalLimit : undefined);
  const trainEval = train.slice(0, DPO_TRAIN_EVAL_ROWS);
  // The reference: the start model's scores, before any update or replay.
  const refScorer = new TaskScorer(ctx, forward, model.tokenizer.padId);
  const total = train.length + evalRows.length;
  const references = await pairScores(ctx, refScorer, train, EVAL_BATCH, (done) => d.onProgress?.(done, total));
  const evalReferences = await pairScores(ctx, refScorer, evalRows, EVAL_BATCH, (done) => d.onProgress?.(train.length + done, total));
  const trainer = await resumableTrainer(prepared, config, d.resumeRecord, (resume) =>
    dpoTrainer({ ctx, forward, trainable, hyper, objective: 'dpo', train, batchSize: config.batch, padId: model.tokenizer.padId, beta, references, meta: d.meta }, resume),
  );
  const evaluateSplit = async (split: string, rows: readonly EncodedExample[], refs: Float32Array, step: number): Promise<RewardMetrics> => {
    // Before the first update the policy is the reference: no forward pass needed.
    const policy = trainer.record.steps.length === 0 ? refs : await pairScores(ctx, refScorer, rows, EVAL_BATCH);
    const m = dpoMetrics(policy, refs, beta);
    return { step, objective: 'dpo', split, ...m };
  };
  return new TrainerRun(config, trainable, trainer, async (step) => [
    await evaluateSplit('train', trainEval, references.subarray(0, trainEval.length * 2), step),
    ...(evalRows.length ? [await evaluateSplit(config.evalSplit, evalRows, evalReferences, step)] : []),
  ], () => refScorer.destroy());
}
