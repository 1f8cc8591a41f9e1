// The seeded directions of influence: direction k is z(seed, step = k, j = 0) over a set of
// trainable ranges, applied with the ZO step plan's own perturb passes (ZoStepPlan.encodeOp, the
// kernels a training step runs: +eps z, then -2 eps z), so the directional derivatives here are
// the ones a ZO step measures. After each direction the weights are copied back from a snapshot
// taken once, so they end bit-identical to where they started (theta + eps z - 2 eps z + eps z is
// not exactly theta in f32).
import type { Backend } from '../gpu/backend';
import { ZO_DEFAULTS, type ZoHyper } from '../defs/zoConfig';
import { ZoStepPlan, type ParamRange } from '../zo/stepPlan';
import type { DeviceBuffer } from '../gpu/device';

const PLUS = { kind: 'perturb', j: 0, coef: 1 } as const;
const PLUS_TO_MINUS = { kind: 'perturb', j: 0, coef: -2 } as const;

/** The hyperparameters of an influence direction plan: the step scalars only carry seed and eps. */
export function influenceHyper(seed: number, eps: number): ZoHyper {
  return { ...ZO_DEFAULTS, seed: seed >>> 0, eps, q: 1, optimizer: 'zo-sgd', oneSided: false, lr: 0 };
}

export class DirectionPlan {
  private readonly plan: ZoStepPlan;
  private readonly snapshots: DeviceBuffer[];

  /** `ranges` keep their stream ids (z depends on them) and their scales (1 unless a run's block variances set them). */
  constructor(private readonly ctx: Backend, readonly ranges: readonly ParamRange[], readonly seed: number, readonly eps: number) {
    this.plan = new ZoStepPlan(ctx, ranges, influenceHyper(seed, eps));
    this.snapshots = ranges.map((r) => ctx.createStorage(`influence-snapshot-${r.stream}`, r.count * 4, 'scratch'));
    this.copy(true);
  }

  /** theta <- theta + eps z_k (the weights must be at the snapshot). */
  plus(k: number): void {
    this.plan.setStep(k, 0);
    this.ctx.submit((pass) => this.plan.encodeOp(pass, PLUS), 'influence-plus');
  }

  /** theta + eps z_k -> theta - eps z_k (after plus(k)). */
  minus(): void {
    this.ctx.submit((pass) => this.plan.encodeOp(pass, PLUS_TO_MINUS), 'influence-minus');
  }

  /** The weights back to the snapshot, exactly. */
  restore(): void {
    this.copy(false);
  }

  private copy(toSnapshot: boolean): void {
    this.ranges.forEach((r, i) => {
      if (toSnapshot) this.ctx.copyBuffer(r.buffer, r.offset * 4, this.snapshots[i], 0, r.count * 4);
      else this.ctx.copyBuffer(this.snapshots[i], 0, r.buffer, r.offset * 4, r.count * 4);
    });
  }

  /** Restores the weights and frees the plan and the snapshot (once the copy back has run). */
  async destroy(): Promise<void> {
    this.restore();
    await this.ctx.finish();
    this.plan.destroy();
    for (const s of this.snapshots) this.ctx.release(s);
  }
}
