// Tells a user, in words, when a ZO run has stopped learning in a way more steps cannot fix.
// Two-point ZO estimates g = (L+ - L-) / 2eps: once the loss is NaN/Infinity every update writes
// NaN into the weights, and once L+ equals L- to the last bit for many steps the model's output no
// longer responds to the weights (saturated activations after a too-large step; seen on an H100
// with full-parameter ZO-DPO at lr 2e-4, batch 16), so g = 0 forever. Both end the run. A loss
// that climbs far above where it started is only a warning: ZO losses are noisy and can recover.
import type { RunWarning, StepMetrics } from '../api';

export interface DivergenceLimits {
  /** Consecutive steps with L+ === L- before the run is called saturated. */
  identicalSteps: number;
  /** Steps averaged for the starting loss and for the recent loss. */
  window: number;
  /** Recent mean / starting mean above which the loss is called rising. */
  riseFactor: number;
}

export const DIVERGENCE_LIMITS: DivergenceLimits = { identicalSteps: 20, window: 20, riseFactor: 3 };
/** ZOPrO: only NaN/Infinity. Its loss is legitimately 0 on both sides when every sample of a step
 *  gets the same reward and there is no KL term, and it can start at or below 0. */
export const NON_FINITE_ONLY: DivergenceLimits = { identicalSteps: Infinity, window: 20, riseFactor: Infinity };

export class DivergenceWatch {
  private identical = 0;
  private readonly first: number[] = [];
  private readonly recent: number[] = [];
  private warnedRising = false;
  private stopped = false;

  constructor(private readonly limits: DivergenceLimits = DIVERGENCE_LIMITS) {}

  /** Feed every step in order; returns a warning the first time a condition holds, else null. */
  observe(m: StepMetrics): RunWarning | null {
    if (this.stopped) return null;
    const values = [m.lossPlus, m.lossMinus, m.loss, m.projectedGrad];
    if (values.some((v) => !Number.isFinite(v))) {
      this.stopped = true;
      return {
        code: 'non-finite', step: m.step, stop: true,
        message: `Step ${m.step + 1}: the loss became ${fmt(m.loss)} (L+ ${fmt(m.lossPlus)}, L- ${fmt(m.lossMinus)}), so the update wrote NaN into the weights. ` +
          'The run was stopped. Lower the learning rate (or ε) and start a new run.',
      };
    }
    this.identical = m.lossPlus === m.lossMinus ? this.identical + 1 : 0;
    if (this.identical >= this.limits.identicalSteps) {
      this.stopped = true;
      return {
        code: 'saturated', step: m.step, stop: true,
        message: `For ${this.identical} steps in a row both perturbed losses were identical (${fmt(m.loss)}): the loss no longer responds to the weights, ` +
          'so zeroth-order steps cannot estimate a gradient. The run most likely diverged into a saturated state and was stopped. Lower the learning rate and start a new run.',
      };
    }
    if (this.first.length < this.limits.window) {
      this.first.push(m.loss);
      return null;
    }
    this.recent.push(m.loss);
    if (this.recent.length > this.limits.window) this.recent.shift();
    const start = mean(this.first);
    const now = mean(this.recent);
    if (!this.warnedRising && this.recent.length === this.limits.window && start > 0 && now > this.limits.riseFactor * start) {
      this.warnedRising = true;
      return {
        code: 'rising', step: m.step, stop: false,
        message: `The loss has risen to ${(now / start).toFixed(1)}x where it started (mean of the last ${this.limits.window} steps ${fmt(now)} vs ${fmt(start)} over the first ${this.limits.window}). ` +
          'The learning rate is probably too large for this model and mode; the run goes on, but consider stopping it and starting again with a smaller one.',
      };
    }
    return null;
  }
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(4) : String(v);
}
