// ZoStepPlan: one whole MeZO step (Malladi et al. 2023, Alg. 1) recorded into ONE command buffer,
// for any ZO-Bench optimizer (Zhang et al. 2024). Pipelines, bind groups, the losses buffer, the
// summary buffer and optimizer state are made here, once; a step only records dispatches.
//
// Usage for one step (the caller owns forward + loss; `encodeLoss` writes the batch-mean loss,
// one f32, at byte `offset` of plan.losses; offsets are 256-byte aligned so a loss kernel may
// bind its slot as {buffer: plan.losses, offset, size: 4}):
//   const plan = new ZoStepPlan(ctx, ranges, hyper);          // at load
//   plan.setStep(step);                                       // lr = lrAt(hyper, step) unless given
//   ctx.submit((pass) => plan.encodeStep(pass, (pass, offset, slot) => encodeForwardLoss(pass, offset)));
//   const summary = plan.readSummary();                       // enqueue before the next submit
//   ... next step ...; (await summary).grads                  // record with recordStep(summary)
// The caller needs one loss kernel instance per slot it writes (plan.lossSlots lists them):
// each dispatch of one submit sees the same uniform values, so slots cannot share one uniform.
// Two-sided: for j < q: +eps z_j, loss(j,+), -2 eps z_j, loss(j,-), +eps z_j; grad; update.
// One-sided: loss(theta), then for j: +eps z_j, loss(j,+), -eps z_j; grad; update.
// The last restore runs inside the update's pass (script.ts), so q = 1 reads the weights 3 times.
// ZO-SGD-Cons adds loss(theta) first and, after grad, two candidate moves with a loss each,
// then the choice and the final move (src/engine/defs/zoScript.ts lists the exact order).
import type { Backend, Kernel, ZoStepParams } from '../gpu/backend';
import type { ParamRange } from '../gpu/kernels/zo';
import { lrAt, stepScalars, validateHyper, type ZoHyper } from '../defs/zoConfig';
import { ZO_OPTIMIZERS, optimizerStateBytes } from '../defs/zoOptimizers';
import type { DeviceBuffer, ComputePass } from '../gpu/device';
import {
  LOSS_SLOT_BYTES, consSlot, lossSlot, lossSlotCount, parseSummary, recordDtype, replayScript, summaryLength, zoScript,
  type Restore, type ZoOp, type ZoStepSummary,
} from '../defs/zoScript';

export type { ParamRange } from '../gpu/kernels/zo';

type Encodable = Kernel;

export class ZoStepPlan {
  /** Loss slots, LOSS_SLOT_BYTES apart; the caller's loss kernels write slot s at byte s * 256. */
  readonly losses: DeviceBuffer;
  /** The step summary (script.ts summaryLength): projected gradients, choice, loss, loss copies. */
  readonly summary: DeviceBuffer;
  readonly script: readonly ZoOp[];
  readonly replayOps: readonly ZoOp[];
  /** Bytes of optimizer state on the GPU (ledger category 'optimizer'). */
  readonly stateBytes: number;
  /** The loss slots this optimizer's script writes, in order of use. */
  readonly lossSlots: readonly number[];
  private readonly step: ZoStepParams;
  private readonly state: DeviceBuffer[] = [];
  private readonly kernels = new Map<string, Encodable[]>();
  private readonly makePerturbs: (j: number, coef: number) => Encodable[];
  private readonly makeMoves: (coef: number | 'choice', restore: Restore | undefined) => Encodable[];
  private readonly gradKernel: Kernel;
  private readonly selectKernel: Kernel;
  private readonly summaryUpload: Float32Array;
  private readonly rangeParams: DeviceBuffer[];

  constructor(
    private readonly ctx: Backend,
    readonly ranges: readonly ParamRange[],
    readonly hyper: ZoHyper,
  ) {
    validateHyper(hyper);
    const streams = new Set(ranges.map((r) => r.stream));
    if (streams.size !== ranges.length) throw new Error('ZoStepPlan: every range needs its own stream id');
    const q = hyper.q;
    const opt = ZO_OPTIMIZERS[hyper.optimizer];
    this.script = zoScript(hyper);
    this.replayOps = replayScript(hyper);
    this.lossSlots = this.script.flatMap((op) => (op.kind === 'loss' ? [op.slot] : []));
    this.losses = ctx.createStorage('zo-losses', lossSlotCount(q) * LOSS_SLOT_BYTES, 'scratch');
    this.summary = ctx.createStorage('zo-summary', summaryLength(q) * 4, 'scratch');
    this.summaryUpload = new Float32Array(q + 1);
    this.step = ctx.kernels.zoStepParams();
    this.stateBytes = optimizerStateBytes(hyper.optimizer, ranges.map((r) => r.count));
    const rangeParams = (this.rangeParams = ranges.map((r) => ctx.kernels.zoRangeParams(r)));
    const states = ranges.map((r) =>
      Array.from({ length: opt.stateSlots }, (_, k) => {
        const b = ctx.createStorage(`zo-state-${r.stream}-${k}`, r.count * 4, 'optimizer');
        this.state.push(b);
        return b;
      }),
    );
    this.resetState();
    this.makePerturbs = (j, coef) => ranges.map((r, i) => ctx.kernels.zoPerturb(r, rangeParams[i], this.step.buffer, j, coef));
    this.makeMoves = (coef, restore) => ranges.map((r, i) => ctx.kernels.zoUpdate(r, rangeParams[i], this.step.buffer, {
      entryPoint: opt.entryPoint, q, coef, restore, summary: this.summary, state: states[i],
    }));
    // Pipelines are built at load, not in the first step.
    for (const op of this.script) if (op.kind === 'perturb' || op.kind === 'move') this.kernelsOf(op);
    const gradOpts = { losses: this.losses, summary: this.summary, step: this.step.buffer, q, oneSided: hyper.oneSided, roundF16: recordDtype(hyper) === 'f16' };
    this.gradKernel = ctx.kernels.zoGrad('projected_grad', gradOpts);
    this.selectKernel = ctx.kernels.zoGrad('cons_select', gradOpts);
  }

  /** The per-range kernels of a perturb or move op, made on first use. */
  private kernelsOf(op: Extract<ZoOp, { kind: 'perturb' | 'move' }>): Encodable[] {
    const key = op.kind === 'perturb' ? `perturb:${op.j}:${op.coef}` : `move:${op.coef}:${op.restore ? `${op.restore.j}:${op.restore.coef}` : '-'}`;
    let kernels = this.kernels.get(key);
    if (!kernels) {
      kernels = op.kind === 'perturb' ? this.makePerturbs(op.j, op.coef) : this.makeMoves(op.coef, op.restore);
      this.kernels.set(key, kernels);
    }
    return kernels;
  }

  /** Byte offset in `losses` of L(theta + eps z_j) (1), L(theta - eps z_j) (-1), L(theta) (0). */
  lossOffset(j: number, sign: 1 | -1 | 0): number {
    return lossSlot(this.hyper.q, j, sign) * LOSS_SLOT_BYTES;
  }

  /** Byte offset of a ZO-SGD-Cons candidate's loss: theta - lr d ('minus'), theta + lr d ('plus'). */
  consLossOffset(which: 'minus' | 'plus'): number {
    return consSlot(this.hyper.q, which) * LOSS_SLOT_BYTES;
  }

  /** Scalars of the next submitted step (a queue write: lands before the next submit). */
  setStep(step: number, lr = lrAt(this.hyper, step)): void {
    this.step.set(stepScalars(this.hyper, step, lr));
  }

  /** One op of the script (the caller encodes 'loss' ops itself; see encodeStep). */
  encodeOp(pass: ComputePass, op: ZoOp): void {
    switch (op.kind) {
      case 'perturb':
      case 'move':
        for (const k of this.kernelsOf(op)) k.encode(pass);
        return;
      case 'grad':
        this.gradKernel.encode(pass);
        return;
      case 'select':
        this.selectKernel.encode(pass);
        return;
      case 'loss':
        throw new Error('ZoStepPlan.encodeOp: loss ops are encoded by the caller');
    }
  }

  /** The whole step; `encodeLoss` records forward + batch-mean loss into byte `offset` of losses. */
  encodeStep(pass: ComputePass, encodeLoss: (pass: ComputePass, offset: number, slot: number) => void): void {
    for (const op of this.script) {
      if (op.kind === 'loss') encodeLoss(pass, op.slot * LOSS_SLOT_BYTES, op.slot);
      else this.encodeOp(pass, op);
    }
  }

  /** Replay: set the recorded g_j (and Cons choice) for the next submit of encodeReplayStep. */
  loadRecorded(values: Float32Array): void {
    const q = this.hyper.q;
    this.summaryUpload.fill(0);
    this.summaryUpload.set(values.subarray(0, q));
    if (this.hyper.optimizer === 'zo-sgd-cons') this.summaryUpload[q] = values[q];
    this.ctx.upload(this.summary, this.summaryUpload);
  }

  /** Perturbations and moves of one step without forwards (replay reproduces their rounding). */
  encodeReplayStep(pass: ComputePass): void {
    for (const op of this.replayOps) this.encodeOp(pass, op);
  }

  /** The last step's summary. Call before the next submit: the copy is queued in order. */
  async readSummary(): Promise<ZoStepSummary> {
    return parseSummary(this.hyper.q, await this.ctx.readF32(this.summary));
  }

  /** Zero the optimizer state (a fresh run or a replay from the start). */
  resetState(): void {
    for (const b of this.state) this.ctx.upload(b, new Float32Array(b.size / 4));
  }

  destroy(): void {
    for (const b of [this.losses, this.summary, this.step.buffer, ...this.rangeParams, ...this.state]) this.ctx.release(b);
  }
}
