// Per-example and batch-mean losses on the GPU from a scoring plan (shaders/loss.wgsl), so a
// ZO step's two losses never leave the GPU before the projected gradient is formed.
import code from '../../../../shaders/loss.wgsl?raw';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, type Dispatchable } from '../kernel';
import { DEFAULT_LOSS_COEFFICIENTS, type LossCoefficients, type ScoringPlan } from '../../defs/lossPlan';
import type { DeviceBuffer, DeviceBinding, ComputePass } from '../device';

export interface LossBuffers {
  plan: DeviceBuffer; // u32 [maxPlanWords]
  scores: DeviceBuffer; // f32 [maxCandidates]
  exampleLoss: DeviceBuffer; // f32 [maxExamples]
  batchLoss: DeviceBuffer; // f32 [1]
  aux: DeviceBuffer; // f32 [maxCandidates, 2]: reference score, advantage (dpo / pg objectives)
}

export class LossKernel implements Dispatchable {
  readonly label = 'loss';
  readonly buffers: LossBuffers;
  private readonly kernels: BoundKernel[];
  private readonly params: ParamBlock<'examples' | 'candidateBase' | 'tokenBase' | 'beta' | 'klCoef'>;

  constructor(
    private readonly ctx: WebGpu,
    logprobs: DeviceBuffer,
    readonly limits: { maxExamples: number; maxCandidates: number; maxPlanWords: number },
    /**
     * Extra places the batch-mean loss can be written (e.g. the ZO plan's loss slots), chosen
     * per encode() so one submit can hold several forward+loss pairs without a copy between.
     */
    extraBatchTargets: DeviceBinding[] = [],
  ) {
    this.buffers = {
      plan: ctx.createStorage('loss-plan', limits.maxPlanWords * 4, 'activations'),
      scores: ctx.createStorage('loss-scores', limits.maxCandidates * 4, 'activations'),
      exampleLoss: ctx.createStorage('loss-examples', limits.maxExamples * 4, 'activations'),
      batchLoss: ctx.createStorage('loss-batch', 4, 'activations'),
      aux: ctx.createStorage('loss-aux', limits.maxCandidates * 8, 'activations'),
    };
    this.params = new ParamBlock(ctx, 'loss-params', [
      { name: 'examples', type: 'u32' },
      { name: 'candidateBase', type: 'u32' },
      { name: 'tokenBase', type: 'u32' },
      { name: 'beta', type: 'f32' },
      { name: 'klCoef', type: 'f32' },
    ]);
    this.setCoefficients(DEFAULT_LOSS_COEFFICIENTS);
    const b = this.buffers;
    this.kernels = [{ buffer: b.batchLoss }, ...extraBatchTargets].map(
      (target, i) =>
        new BoundKernel(ctx, {
          name: 'loss',
          code,
          bindings: [logprobs, b.plan, b.scores, b.exampleLoss, target, this.params.buffer, b.aux],
          grid: [1, 1, 1],
          label: i === 0 ? 'loss' : `loss->target${i}`,
        }),
    );
  }

  setPlan(plan: ScoringPlan): void {
    const { maxExamples, maxCandidates, maxPlanWords } = this.limits;
    if (plan.examples > maxExamples || plan.candidates > maxCandidates || plan.words.length > maxPlanWords) {
      throw new Error(`scoring plan (${plan.examples} examples, ${plan.candidates} candidates) exceeds the loss kernel's limits`);
    }
    this.ctx.upload(this.buffers.plan, plan.words);
    if (plan.aux.length) this.ctx.upload(this.buffers.aux, plan.aux);
    this.params.set({ examples: plan.examples, candidateBase: plan.candidateBase, tokenBase: plan.tokenBase });
  }

  /** DPO's beta and the policy-gradient KL weight for the following dispatches. */
  setCoefficients(c: LossCoefficients): void {
    this.params.set({ beta: c.beta, klCoef: c.klCoef });
  }

  /** target 0 is buffers.batchLoss; target i > 0 is extraBatchTargets[i - 1]. */
  encode(pass: ComputePass, target = 0): void {
    this.kernels[target].encode(pass);
  }

  /** Frees what the constructor allocated (its uniform and scratch buffers). */
  destroy(): void {
    this.params.destroy();
    for (const b of Object.values(this.buffers)) this.ctx.release(b);
  }
}
