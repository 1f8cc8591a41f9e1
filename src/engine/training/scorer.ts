// Forward pass + loss kernel as one unit: prepare a scored batch, record forward and loss
// into a pass, and evaluate a whole split (accuracy from candidate scores, mean loss).
import type { Backend } from '../gpu/backend';
import type { LossKernelOps } from '../gpu/backend';
import { buildScoringPlan, type LossObjective } from '../defs/lossPlan';
import type { LlamaForward } from '../model/llama';
import { buildScoredBatch, type EncodedExample, type ScoredBatch } from './batches';
import type { DeviceBinding, ComputePass } from '../gpu/device';

export interface EvalResult {
  accuracy: number;
  loss: number;
  n: number;
  /** Predicted candidate per example (argmax of candidate scores). */
  predictions: number[];
}

export class TaskScorer {
  readonly loss: LossKernelOps;

  constructor(
    private readonly ctx: Backend,
    readonly forward: LlamaForward,
    private readonly padId: number,
    /** Where a ZO plan wants batch losses written (its loss slots), addressed by index + 1. */
    lossTargets: DeviceBinding[] = [],
  ) {
    const { maxPositions, maxCandidates, maxBatch } = forward.state.limits;
    const maxScores = maxPositions * maxCandidates;
    this.loss = ctx.kernels.loss(forward.state.logprobs, {
      maxExamples: maxBatch,
      maxCandidates: maxScores,
      maxPlanWords: 4 * maxBatch + 3 * maxScores,
    }, lossTargets);
  }

  /** Frees the loss kernel's buffers (the forward pass belongs to whoever built it). */
  destroy(): void {
    this.loss.destroy();
  }

  batch(examples: readonly EncodedExample[], objective: LossObjective): ScoredBatch {
    return buildScoredBatch(examples, objective, this.padId, this.forward.state.limits.maxCandidates);
  }

  /** Uploads the batch's tokens and scoring plan; the next encode() scores it. */
  prepare(batch: ScoredBatch): void {
    this.forward.setInput(batch.input);
    this.loss.setPlan(buildScoringPlan(batch.scored));
  }

  /** Forward + loss; the batch-mean loss lands in loss.buffers.batchLoss[0]. */
  encode(pass: ComputePass, lossTarget = 0): void {
    this.forward.encode(pass);
    this.loss.encode(pass, lossTarget);
  }

  /** Accuracy and mean loss over examples, in batches of at most `batchSize` examples. */
  async evaluate(examples: readonly EncodedExample[], objective: LossObjective, batchSize: number): Promise<EvalResult> {
    let correct = 0;
    let lossSum = 0;
    const predictions: number[] = [];
    for (let start = 0; start < examples.length; start += batchSize) {
      const chunk = examples.slice(start, start + batchSize);
      const batch = this.batch(chunk, objective);
      this.prepare(batch);
      this.ctx.submit((pass) => this.encode(pass), 'evaluate');
      const nScores = batch.scored.reduce((n, s) => n + s.candidates.length, 0);
      const [scores, losses] = await Promise.all([
        this.ctx.readF32(this.loss.buffers.scores, nScores),
        this.ctx.readF32(this.loss.buffers.exampleLoss, chunk.length),
      ]);
      let c = 0;
      batch.scored.forEach((ex, i) => {
        const s = Array.from(scores.subarray(c, c + ex.candidates.length));
        c += ex.candidates.length;
        const pred = s.indexOf(Math.max(...s));
        predictions.push(pred);
        if (pred === ex.label) correct++;
        lossSum += losses[i];
      });
    }
    const n = examples.length;
    return { accuracy: n ? correct / n : 0, loss: n ? lossSum / n : 0, n, predictions };
  }
}
