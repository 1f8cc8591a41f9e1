// The MeZO training loop (Malladi et al. 2023, Alg. 1) over a task: sample a batch, record the
// whole ZO step (perturb, forward+loss, perturb, forward+loss, restore, projected gradient,
// update) into ONE submit, and read its summary while the next step is already queued.
import type { Backend } from '../gpu/backend';
import type { StepMetrics } from '../api';
import { BatchSampler, type SamplerState } from '../data/sampler';
import type { LossObjective } from '../defs/lossPlan';
import { ZoStepPlan } from '../zo/stepPlan';
import { LOSS_SLOT_BYTES } from '../defs/zoScript';
import { lrAt, type ZoHyper } from '../defs/zoConfig';
import { newRecord, recordStep, type ZoRunRecord } from '../zo/record';
import type { ZoOp, ZoStepSummary } from '../defs/zoScript';
import type { DeviceBuffer } from '../gpu/device';
import { EngineStateError } from '../defs/engineError';
import type { LlamaForward } from '../model/llama';
import type { EncodedExample, ScoredBatch } from './batches';
import { TaskScorer } from './scorer';
import type { TrainableSet } from './trainable';

export interface TrainerSetup {
  ctx: Backend;
  forward: LlamaForward;
  trainable: TrainableSet;
  hyper: ZoHyper;
  objective: LossObjective;
  train: readonly EncodedExample[];
  batchSize: number;
  padId: number;
  /** Kept in the run record's header (config, model identity). */
  meta?: Record<string, unknown>;
  /** Record each step's per-row directional derivatives (record extra 'row-derivs'; ZO-SGD,
   *  q = 1, two-sided only: the step's per-example losses of both phases are kept for it). */
  rowDerivatives?: boolean;
  /**
   * Turns sampled train-row indices into the scored batch (default: the rows under `objective`).
   * Objectives with per-row extras (DPO's reference scores) set them here.
   */
  batchOf?: (indices: number[], scorer: TaskScorer) => ScoredBatch;
}

export interface TrainerResume {
  record: ZoRunRecord;
  sampler: SamplerState;
}

interface InFlight {
  step: number;
  started: number;
  summary: Promise<ZoStepSummary>;
  /** Per-example losses of the batch at theta + eps z and theta - eps z (rowDerivatives runs). */
  rowLosses?: [Promise<Float32Array>, Promise<Float32Array>];
}

export class ZoTrainer {
  readonly plan: ZoStepPlan;
  /** Scores batches with losses written straight into the plan's loss slots. */
  readonly scorer: TaskScorer;
  readonly record: ZoRunRecord;
  private readonly sampler: BatchSampler;
  private readonly slotTarget = new Map<number, number>();
  private nextStep: number;
  private inFlight: InFlight | null = null;
  /** The train rows of the last step submitted (the loss probe measures on a step's own batch). */
  private lastBatch: { step: number; indices: number[] } | null = null;
  /** Where a rowDerivatives run keeps the batch's per-example losses of the plus and minus phases. */
  private rowLossBuffers: [DeviceBuffer, DeviceBuffer] | null = null;

  constructor(private readonly s: TrainerSetup, resume?: TrainerResume) {
    this.plan = new ZoStepPlan(s.ctx, s.trainable.ranges, s.hyper);
    const targets = this.plan.lossSlots.map((slot, i) => {
      this.slotTarget.set(slot, i + 1);
      return { buffer: this.plan.losses, offset: slot * LOSS_SLOT_BYTES, size: 4 };
    });
    this.scorer = new TaskScorer(s.ctx, s.forward, s.padId, targets);
    this.sampler = new BatchSampler(s.train.length, s.batchSize, s.hyper.seed, { lastBatch: 'short' }, resume?.sampler);
    if (s.rowDerivatives) {
      const { q, oneSided, optimizer } = s.hyper;
      if (q !== 1 || oneSided || optimizer !== 'zo-sgd') throw new EngineStateError('unsupported-config', 'Per-row directional derivatives are recorded for ZO-SGD runs with q = 1 and two-sided differences: turn the option off or use those settings.');
      const bytes = this.scorer.loss.limits.maxExamples * 4;
      this.rowLossBuffers = [s.ctx.createStorage('zo-row-loss-plus', bytes, 'scratch'), s.ctx.createStorage('zo-row-loss-minus', bytes, 'scratch')];
    }
    this.record = resume?.record ?? newRecord(s.hyper, s.meta, s.rowDerivatives ? ['row-derivs'] : []);
    this.nextStep = this.record.steps.length ? this.record.steps[this.record.steps.length - 1].step + 1 : 0;
  }

  /** Steps whose metrics have been read back. */
  get stepsDone(): number {
    return this.nextStep - (this.inFlight ? 1 : 0);
  }

  /** Steps queued on the GPU, the one in flight included. */
  get stepsSubmitted(): number {
    return this.nextStep;
  }

  samplerState(): SamplerState {
    return this.sampler.getState();
  }

  /**
   * The train-row indices of a step's batch: the last step submitted, or the next one (drawn
   * from a copy of the sampler, so training takes the same batch). Null when not known (the
   * last step was made before a resume).
   */
  stepBatch(which: 'last' | 'next'): { step: number; indices: number[] } | null {
    if (which === 'last') return this.lastBatch && { step: this.lastBatch.step, indices: [...this.lastBatch.indices] };
    const copy = new BatchSampler(this.s.train.length, this.s.batchSize, this.s.hyper.seed, { lastBatch: 'short' }, this.sampler.getState());
    return { step: this.nextStep, indices: copy.next() };
  }

  /** The scored batch of these train rows, built as a step builds it. */
  scoredBatch(indices: number[]): ScoredBatch {
    return this.s.batchOf ? this.s.batchOf(indices, this.scorer) : this.scorer.batch(indices.map((i) => this.s.train[i]), this.s.objective);
  }

  /**
   * Queue one step and return the metrics of the previous one (null on the first call). Keeping
   * one step in flight hides the readback latency behind the next step's GPU work.
   */
  async advance(): Promise<StepMetrics | null> {
    const previous = this.inFlight;
    this.inFlight = this.submit();
    return previous ? this.finish(previous) : null;
  }

  /** Metrics of the step still in flight, if any (call before evaluating or pausing). */
  async drain(): Promise<StepMetrics | null> {
    const previous = this.inFlight;
    this.inFlight = null;
    return previous ? this.finish(previous) : null;
  }

  private submit(): InFlight {
    const { ctx } = this.s;
    const step = this.nextStep++;
    const indices = this.sampler.next();
    this.lastBatch = { step, indices };
    this.scorer.prepare(this.scoredBatch(indices));
    this.plan.setStep(step);
    const started = performance.now();
    const encodeLoss = (p: Parameters<ZoStepPlan['encodeStep']>[0], slot: number) => this.scorer.encode(p, this.slotTarget.get(slot)!);
    if (!this.rowLossBuffers) {
      ctx.submit((pass) => this.plan.encodeStep(pass, (p, _offset, slot) => encodeLoss(p, slot)), `zo-step-${step}`);
      return { step, started, summary: this.plan.readSummary() };
    }
    // The same ops in the same order, in three submits: after each phase's forward its per-example
    // losses are copied aside before the next forward overwrites them.
    const rows = indices.length;
    let ops: ZoOp[] = [];
    const flush = () => {
      const batch = ops;
      ops = [];
      ctx.submit((pass) => {
        for (const op of batch) {
          if (op.kind === 'loss') encodeLoss(pass, op.slot);
          else this.plan.encodeOp(pass, op);
        }
      }, `zo-step-${step}`);
    };
    for (const op of this.plan.script) {
      ops.push(op);
      if (op.kind === 'loss' && (op.slot === 0 || op.slot === 1)) {
        flush();
        ctx.copyBuffer(this.scorer.loss.buffers.exampleLoss, 0, this.rowLossBuffers[op.slot], 0, rows * 4);
      }
    }
    flush();
    const rowLosses: [Promise<Float32Array>, Promise<Float32Array>] = [ctx.readF32(this.rowLossBuffers[0], rows), ctx.readF32(this.rowLossBuffers[1], rows)];
    return { step, started, summary: this.plan.readSummary(), rowLosses };
  }

  private async finish(f: InFlight): Promise<StepMetrics> {
    const summary = await f.summary;
    const entry = recordStep(this.s.hyper, f.step, summary);
    if (f.rowLosses) {
      const [plus, minus] = await Promise.all(f.rowLosses);
      const inv = 1 / (2 * this.s.hyper.eps);
      entry.extras = { 'row-derivs': plus.map((p, i) => (p - minus[i]) * inv) };
    }
    this.record.steps.push(entry);
    const q = this.s.hyper.q;
    const oneSided = this.s.hyper.oneSided;
    // losses[slot]: slot 2j is L(theta + eps z_j), 2j+1 is L(theta - eps z_j), 2q is L(theta).
    const lossPlus = summary.losses[0];
    const lossMinus = oneSided ? summary.losses[2 * q] : summary.losses[1];
    return {
      step: f.step,
      lossPlus,
      lossMinus,
      loss: summary.loss,
      projectedGrad: summary.grads.reduce((a, b) => a + b, 0) / q,
      lr: lrAt(this.s.hyper, f.step),
      seed: this.s.hyper.seed,
      millis: performance.now() - f.started,
    };
  }

  destroy(): void {
    this.plan.destroy();
    this.scorer.destroy();
    for (const b of this.rowLossBuffers ?? []) this.s.ctx.release(b);
  }
}
