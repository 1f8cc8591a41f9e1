// Trajectory attribution of a ZO run (issue 14, first order, exact per step): step t moves the
// weights by -lr_t g_t z_t, so the query's loss changes by -lr_t g_t (grad L_q . z_t) to first
// order, with grad L_q . z_t = d_q,t measured by the query's own two-sided difference along the
// same z_t; g_t is the batch mean of the rows' d_i,t, so row i's share of the step is
// -lr_t (d_i,t / B) d_q,t and its contribution is the sum of its shares over the steps it was
// sampled in. The run is replayed from the start weights through its own step plan (the same
// perturb and move passes, in the same order, as training), with the query and the step's batch
// evaluated at theta_t + eps z_t and theta_t - eps z_t: the batch's per-row losses are the ones
// the step averaged (the replay is bit-exact), and L_q before and after each step gives the
// actual change the prediction is compared with. A run that recorded its rows' d_i (config
// rowDerivatives: record extra 'row-derivs') is attributed from the record, without the batch's
// forwards.
import type { InfluenceQuery, TrajectoryAttribution, TrainConfig } from '../api';
import { BatchSampler } from '../data/sampler';
import { lrAt } from '../defs/zoConfig';
import { EngineStateError } from '../defs/engineError';
import type { ZoOp } from '../defs/zoScript';
import type { EncodedExample } from '../training/batches';
import { decodeRunRecord } from '../zo/record';
import { checkResumeConfig } from '../zo/validateConfig';
import type { Session } from '../session/session';
import { startRun } from '../session/startRun';
import { topRows } from './ranking';

export interface TrajectoryOptions {
  top: number;
  /** After each replayed step; throw to cancel. */
  onStep?: (done: number, total: number) => void;
}

/** Why a run's trajectory cannot be attributed this way (null: it can). */
export function trajectoryRefusal(config: TrainConfig): string | null {
  if (config.objective === 'dpo' || config.objective === 'zopro') return 'Trajectory attribution follows ZO runs of a classification or text task (not DPO or ZOPrO).';
  if (config.optimizer !== 'zo-sgd') return `Trajectory attribution needs ZO-SGD steps (a step moves by -lr g z); this run used ${config.optimizer}, whose moves mix earlier steps.`;
  if (config.q !== 1) return `Trajectory attribution needs one perturbation per step (q = 1); this run used q = ${config.q}.`;
  if (config.oneSided) return 'Trajectory attribution needs two-sided differences; this run was one-sided.';
  if (config.clip > 0) return 'Trajectory attribution needs unclipped projected gradients; this run clipped them.';
  return null;
}

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/**
 * Replays `recordBytes` (a run of `config` from the loaded start weights) with `query` and returns
 * every train row's contribution. Leaves the session holding the replayed run's weights' effect
 * on the model in full mode (the caller marks them changed) and no run.
 */
export async function attributeTrajectory(
  session: Session, config: TrainConfig, recordBytes: Uint8Array, query: InfluenceQuery, queryEx: EncodedExample, o: TrajectoryOptions,
): Promise<TrajectoryAttribution> {
  const refusal = trajectoryRefusal(config);
  if (refusal) throw new EngineStateError('unsupported-config', refusal);
  const record = decodeRunRecord(recordBytes);
  checkResumeConfig(record, config);
  const { ctx } = session;
  const run = await startRun(session, config);
  try {
    const trainer = run.zo!;
    const plan = trainer.plan;
    const hyper = plan.hyper;
    const scorer = trainer.scorer;
    const train = session.requireTask().splits.train;
    const objective = session.objectiveFor(config) === 'lm' ? 'lm' : 'classification';
    const sampler = new BatchSampler(train.length, config.batch, hyper.seed, { lastBatch: 'short' });
    const queryBatch = scorer.batch([queryEx], objective);
    const queryLoss = (): Promise<Float32Array> => {
      scorer.prepare(queryBatch);
      ctx.submit((pass) => scorer.encode(pass, 0), 'trajectory-query');
      return ctx.readF32(scorer.loss.buffers.exampleLoss, 1);
    };
    const rowLosses = (indices: number[]): Promise<Float32Array> => {
      scorer.prepare(trainer.scoredBatch!(indices));
      ctx.submit((pass) => scorer.encode(pass, 0), 'trajectory-batch');
      return ctx.readF32(scorer.loss.buffers.exampleLoss, indices.length);
    };
    const encodeOp = (op: ZoOp) => ctx.submit((pass) => plan.encodeOp(pass, op), 'trajectory-replay');
    const recorded = record.header.extras?.includes('row-derivs') ?? false;
    const steps = record.steps.length;
    const contributions = new Float64Array(train.length);
    const sampled = new Set<number>();
    const predicted = new Float32Array(steps);
    const actual = new Float32Array(steps);
    plan.resetState();
    let before = (await queryLoss())[0];
    const lossBefore = before;
    const inv = 1 / (2 * hyper.eps);
    for (const [t, s] of record.steps.entries()) {
      const indices = sampler.next();
      plan.setStep(s.step);
      plan.loadRecorded(s.values);
      const stored = recorded ? s.extras?.['row-derivs'] : undefined;
      if (recorded && stored?.length !== indices.length) {
        throw new EngineStateError('task-unsuitable', `step ${s.step} of the record has ${stored?.length ?? 0} rows' derivatives; this task's batch has ${indices.length}: use the task the run was trained on`);
      }
      const none = Promise.resolve(new Float32Array(0));
      let plus: [Promise<Float32Array>, Promise<Float32Array>] | null = null;
      let minus: [Promise<Float32Array>, Promise<Float32Array>] | null = null;
      for (const op of plan.replayOps) {
        encodeOp(op);
        // q = 1, two-sided: +eps z (theta + eps z), -2 eps z (theta - eps z), then the move with its restore.
        if (op.kind === 'perturb' && op.coef === 1) plus = [queryLoss(), stored ? none : rowLosses(indices)];
        if (op.kind === 'perturb' && op.coef === -2) minus = [queryLoss(), stored ? none : rowLosses(indices)];
      }
      const after = (await queryLoss())[0];
      const [qp, rp] = await Promise.all(plus!);
      const [qm, rm] = await Promise.all(minus!);
      const dq = (qp[0] - qm[0]) * inv;
      const lr = lrAt(hyper, s.step);
      predicted[t] = -lr * s.values[0] * dq;
      actual[t] = after - before;
      for (const [b, row] of indices.entries()) {
        sampled.add(row);
        const di = stored ? stored[b] : (rp[b] - rm[b]) * inv;
        contributions[row] += (-lr * di * dq) / indices.length;
      }
      before = after;
      o.onStep?.(t + 1, steps);
    }
    const c32 = Float32Array.from(contributions);
    // Rows the run never sampled contributed nothing: the lists hold sampled rows only.
    const { highest, lowest } = topRows(c32, o.top, session.requireTask().sourceRows.train, [...sampled].sort((a, b) => a - b));
    return {
      query, steps, contributions: c32, proponents: lowest, opponents: highest, predicted, actual,
      predictedTotal: predicted.reduce((a, v) => a + v, 0),
      actualTotal: actual.reduce((a, v) => a + v, 0),
      correlation: pearson(predicted, actual),
      lossBefore, lossAfter: before,
    };
  } finally {
    session.endRun();
  }
}
