// The dynamics view's "loss along a direction": L(theta + a * z) for a in [-span*eps, span*eps],
// where z is the perturbation the next step will use (seed, step, j = 0) or the one the last
// update moved along (signed so that a > 0 is the way the update went). Runs on that step's own
// batch (so a = ±eps gives the losses the step measures), or on the first train rows when the
// batch is unknown, and says which; between steps only; the weights are copied aside and back.
import type { LossCurve } from '../api';
import type { Session } from './session';
import { EngineStateError } from '../defs/engineError';

export async function lossAlongDirection(session: Session, direction: LossCurve['direction'], span: number, points: number): Promise<LossCurve> {
  const run = session.run;
  if (!run) throw new EngineStateError('no-run', 'Start a run first: the direction is defined by the run\'s seed and step.');
  const { ctx } = session;
  const trainer = run.zo;
  if (!trainer) throw new EngineStateError('unsupported-config', 'The loss along a direction follows a ZO step\'s perturbation: ZOPrO runs mix their directions from earlier steps and have none to probe.');
  const hyper = trainer.plan.hyper;
  const last = trainer.record.steps[trainer.record.steps.length - 1];
  if (direction === 'last-update' && !last) throw new EngineStateError('no-run', 'No update yet: train at least one step first.');
  const step = direction === 'perturbation' ? trainer.stepsDone : last.step;
  const sign = direction === 'perturbation' ? 1 : -Math.sign(last.values[0] || 1);
  const task = session.requireTask();
  const scorer = trainer.scorer;
  const own = trainer.stepBatch?.(direction === 'perturbation' ? 'next' : 'last');
  const batch: LossCurve['batch'] = own && own.step === step && trainer.scoredBatch ? 'step' : 'first';
  const rows = batch === 'step' ? own!.indices : Array.from({ length: Math.min(run.config.batch, task.splits.train.length) }, (_, i) => i);
  scorer.prepare(batch === 'step' ? trainer.scoredBatch!(rows) : scorer.batch(rows.map((i) => task.splits.train[i]), session.objectiveFor(run.config)));

  const n = Math.max(3, Math.min(points, 101));
  const offsets = Array.from({ length: n }, (_, i) => hyper.eps * span * (-1 + (2 * i) / (n - 1)));
  const snapshots = run.trainable.ranges.map((r) => ctx.createStorage(`probe-${r.name}`, r.count * 4, 'scratch'));
  const probes = run.trainable.ranges.map((r, i) => ctx.kernels.zoProbe(r, snapshots[i]));
  const copy = (toSnapshot: boolean) => {
    run.trainable.ranges.forEach((r, i) => {
      if (toSnapshot) ctx.copyBuffer(r.buffer, r.offset * 4, snapshots[i], 0, r.count * 4);
      else ctx.copyBuffer(snapshots[i], 0, r.buffer, r.offset * 4, r.count * 4);
    });
  };
  copy(true);
  const losses: number[] = [];
  try {
    for (const a of offsets) {
      for (const p of probes) p.set(hyper.seed, step, 0, sign * a);
      ctx.submit((pass) => {
        for (const p of probes) p.encode(pass);
        scorer.encode(pass, 0);
      }, 'loss-probe');
      losses.push((await ctx.readF32(scorer.loss.buffers.batchLoss, 1))[0]);
    }
  } finally {
    copy(false);
    await ctx.finish();
    for (const p of probes) p.destroy();
    for (const s of snapshots) ctx.release(s);
  }
  return { offsets, losses, direction, step, rows, batch };
}
