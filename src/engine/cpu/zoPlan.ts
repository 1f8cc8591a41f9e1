// CPU reference of a whole ZO step (MeZO, Malladi et al. 2023, Alg. 1; ZO-Bench optimizers): the
// same script as the GPU ZoStepPlan (src/engine/defs/zoScript.ts) on Float32Arrays, with a loss
// callback in place of the caller's forward pass. A GPU run and a CPU run of the same config
// therefore agree up to f32 rounding and the ~1e-6 difference of the two RNG twins' Gaussians.
import { lrAt, stepScalars, validateHyper, type ZoHyper, type ZoStepScalars } from '../defs/zoConfig';
import { ZO_OPTIMIZERS } from '../defs/zoOptimizers';
import { lossSlotCount, parseSummary, recordDtype, replayScript, zoScript, type ZoOp, type ZoStepSummary } from '../defs/zoScript';
import { consSelectCpu, directionCpu, perturbRangeCpu, projectedGradCpu, type CpuParamRange } from './zo';

export type ZoLoss = (params: Float32Array[]) => number;

export class ZoCpuPlan {
  readonly script: readonly ZoOp[];
  /** Optimizer state per range: stateSlots arrays of range.count f32. */
  readonly state: Float32Array[][];
  /** The distinct arrays of the ranges, in order of first appearance: what `loss` receives. */
  readonly params: Float32Array[];
  private summary: Float32Array;

  constructor(
    readonly ranges: readonly CpuParamRange[],
    readonly hyper: ZoHyper,
  ) {
    validateHyper(hyper);
    this.script = zoScript(hyper);
    this.params = [...new Set(ranges.map((r) => r.array))];
    this.state = ranges.map((r) => ZO_OPTIMIZERS[hyper.optimizer].init(r.count));
    this.summary = new Float32Array(0);
  }

  /** One step with forwards through `loss`; returns the summary (as ZoStepPlan.readSummary). */
  step(step: number, loss: ZoLoss, lr = lrAt(this.hyper, step)): ZoStepSummary {
    const s = stepScalars(this.hyper, step, lr);
    const slots = new Float32Array(lossSlotCount(this.hyper.q));
    for (const op of this.script) {
      if (op.kind === 'loss') slots[op.slot] = Math.fround(loss(this.params));
      else if (op.kind === 'grad') this.summary = projectedGradCpu(this.hyper.q, slots, s, this.hyper.oneSided, recordDtype(this.hyper) === 'f16');
      else if (op.kind === 'select') consSelectCpu(this.hyper.q, slots, this.summary);
      else this.apply(op, s);
    }
    return parseSummary(this.hyper.q, this.summary);
  }

  /** Replay one recorded step: the q gradients (and the Cons choice) instead of forwards. */
  replayStep(step: number, values: Float32Array, lr = lrAt(this.hyper, step)): void {
    const q = this.hyper.q;
    const s = stepScalars(this.hyper, step, lr);
    this.summary = new Float32Array(q + 1);
    this.summary.set(values.subarray(0, q));
    if (this.hyper.optimizer === 'zo-sgd-cons') this.summary[q] = values[q];
    for (const op of replayScript(this.hyper)) this.apply(op, s);
  }

  private apply(op: ZoOp, s: ZoStepScalars): void {
    const q = this.hyper.q;
    if (op.kind === 'perturb') {
      for (const r of this.ranges) perturbRangeCpu(r, s, op.j, op.coef);
    } else if (op.kind === 'move') {
      // The GPU folds this restore into the update's pass; the float operations are the same.
      if (op.restore) for (const r of this.ranges) perturbRangeCpu(r, s, op.restore.j, op.restore.coef);
      const opt = ZO_OPTIMIZERS[this.hyper.optimizer];
      const c = op.coef === 'choice' ? this.summary[q] : op.coef;
      const grads = this.summary.subarray(0, q);
      this.ranges.forEach((r, i) => {
        const d = directionCpu(r, s, grads);
        opt.step(r.array, r.offset, d, this.state[i], s, c, r.decay ? s.weightDecay : 0);
      });
    }
  }
}
