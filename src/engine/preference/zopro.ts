// ZOPrO, online (Galatolo et al. 2025, arXiv 2503.03460): per step, sample k completions per
// prompt from the current policy (KV-cache generation), score them with a reward source, form
// RLOO advantages A (Ahmadian et al. 2024), and take one SPSA step on
//   L(theta) = mean_i [ -A_i s_i(theta) + klCoef (exp(d_i) - d_i - 1) ],  d_i = s_ref,i - s_i(theta)
// (s = mean log-prob of completion i given its prompt; shaders/loss.wgsl objective 4) along
// ZOPrO's mixed direction z = lambda mu + sqrt(1 - lambda^2) n (src/engine/zo/mixedDirection.ts):
//   theta += eps z; L+;  theta -= 2 eps z; L-;  g = (L+ - L-) / 2 eps;  theta += (eps - lr g) z.
// The reference s_ref comes from the same weights without the tuning mode's hooks (LoRA or
// sparse deltas off), so no second copy of the model is held; full-parameter runs have no
// frozen reference and need klCoef = 0. Each step syncs with the CPU (sampling, rewards).
import type { Backend } from '../gpu/backend';
import type { RewardMetrics, StepMetrics, ZoproOptions } from '../api';
import type { Tokenizer } from '../data/tokenizer';
import { BatchSampler } from '../data/sampler';
import type { LossKernelOps, ZoMixedOps } from '../gpu/backend';
import type { MixTerm } from '../defs/zoMix';
import { buildScoringPlan } from '../defs/lossPlan';
import type { LlamaForward } from '../model/llama';
import type { ZoHyper } from '../defs/zoConfig';
import type { ZoproRecord, ZoproRecordStep } from './zoproRecordText';
import { lrAt } from '../defs/zoConfig';
import { lambdaAt, mixTerms, previousUpdate } from '../zo/mixedDirection';
import { buildScoredBatch, type EncodedExample } from '../training/batches';
import type { TrainableSet } from '../training/trainable';
import type { KvDecoder } from '../generation/kvDecoder';
import { generateIds } from '../generation/generate';
import { rlooAdvantages, type RewardSource, type Rollout } from './rewards';
import { EngineStateError } from '../defs/engineError';

export interface ZoproPrompt {
  text: string;
  ids: number[];
}

export interface ZoproSetup {
  ctx: Backend;
  trainable: TrainableSet;
  /** Forward with the tuning mode's hooks, sized for prompts x k rows of prompt + maxNewTokens. */
  policy: LlamaForward;
  /** The same weights without hooks (the start model), or null (full mode: klCoef must be 0). */
  reference: LlamaForward | null;
  decoder: KvDecoder;
  tokenizer: Pick<Tokenizer, 'decode'>;
  prompts: ZoproPrompt[];
  reward: RewardSource;
  options: ZoproOptions;
  hyper: ZoHyper;
  stopTokens: number[];
  padId: number;
}

export type { ZoproRecord, ZoproRecordStep };
export { decodeZoproRecord, encodeZoproRecord } from './zoproRecord';

export interface ZoproStepResult {
  metrics: StepMetrics;
  reward: RewardMetrics;
  rollouts: (Rollout & { reward: number })[];
}

export class ZoproTrainer {
  readonly record: ZoproRecord;
  private readonly mixer: ZoMixedOps;
  private readonly loss: LossKernelOps;
  private readonly refLoss: LossKernelOps | null;
  private readonly sampler: BatchSampler;
  private prevTerms: MixTerm[] | null = null;
  private prevGrad = 0;
  private prevNorm = 0;

  constructor(private readonly s: ZoproSetup) {
    const o = s.options;
    if (!(o.k >= 2)) throw new Error('ZOPrO needs k >= 2 completions per prompt (RLOO)');
    if (o.klCoef > 0 && !s.reference) throw new EngineStateError('unsupported-config', 'full-parameter ZOPrO has no frozen reference model: use LoRA or sparse mode, or klCoef = 0');
    if (!s.prompts.length) throw new Error('ZOPrO needs prompts');
    const rows = o.prompts * o.k;
    const limits = { maxExamples: rows, maxCandidates: rows, maxPlanWords: 6 * rows + rows * o.maxNewTokens };
    this.mixer = s.ctx.kernels.zoMixed(s.trainable.ranges);
    this.loss = s.ctx.kernels.loss(s.policy.state.logprobs, limits);
    this.loss.setCoefficients({ beta: 0, klCoef: o.klCoef });
    this.refLoss = s.reference ? s.ctx.kernels.loss(s.reference.state.logprobs, limits) : null;
    this.sampler = new BatchSampler(s.prompts.length, Math.min(o.prompts, s.prompts.length), s.hyper.seed, { lastBatch: 'short' });
    this.record = { hyper: s.hyper, options: o, steps: [] };
  }

  /**
   * Continues a saved run: re-applies every recorded step's three moves along its regenerated
   * direction (the same axpys, in the same order, as training, so the weights come back bit for
   * bit on the same adapter), then restores the direction history and the prompt sampler.
   * Call on a fresh trainer, before any step.
   */
  async resume(saved: ZoproRecord): Promise<void> {
    if (this.record.steps.length) throw new Error('ZOPrO resume needs a fresh run');
    const { hyper } = this.s;
    if (saved.hyper.seed !== hyper.seed || saved.options.k !== this.s.options.k || saved.options.prompts !== this.s.options.prompts) {
      throw new EngineStateError('unsupported-config', 'this ZOPrO record belongs to a run with another seed, k or prompts per step: resume it with the settings it was recorded with');
    }
    for (const r of saved.steps) {
      if (r.step !== this.record.steps.length) throw new Error(`ZOPrO record: step ${r.step} out of order`);
      this.mixer.setDirection(hyper.seed, r.terms);
      for (const alpha of [hyper.eps, -2 * hyper.eps, hyper.eps - lrAt(hyper, r.step) * r.grad]) {
        this.mixer.setAlpha(alpha);
        this.s.ctx.submit((pass) => this.mixer.encodeAxpy(pass), 'zopro-replay');
      }
      this.sampler.next();
      this.record.steps.push(r);
      this.prevTerms = r.terms;
      this.prevGrad = r.grad;
    }
    if (this.prevTerms) {
      this.mixer.setDirection(hyper.seed, this.prevTerms);
      this.prevNorm = Math.sqrt(await this.mixer.squaredNorm());
    }
  }

  get stepsDone(): number {
    return this.record.steps.length;
  }

  /** Mean reward of fixed-seed rollouts of the first prompts (a less noisy curve than the steps'). */
  async probeReward(seeds: readonly number[] = [0xc0ffee, 0xc0ffef, 0xc0fff0, 0xc0fff1]): Promise<number> {
    const prompts = this.s.prompts.slice(0, this.s.options.prompts);
    let sum = 0;
    let n = 0;
    for (const seed of seeds) {
      for (const r of await this.rollouts(prompts, seed)) {
        sum += r.reward;
        n++;
      }
    }
    return sum / n;
  }

  /** Samples completions of `prompts` (k each) with the current weights; rewards them. */
  async rollouts(prompts: ZoproPrompt[], seed: number): Promise<(Rollout & { reward: number; promptIds: number[] })[]> {
    const { k, maxNewTokens, temperature } = this.s.options;
    const batch = prompts.flatMap((p) => Array.from({ length: k }, () => p));
    const gen = await generateIds(this.s.decoder, batch.map((p) => p.ids), { maxNewTokens, temperature, topK: 0, topP: 1, seed, stopTokens: this.s.stopTokens }, undefined);
    const stop = new Set(this.s.stopTokens);
    const rollouts = batch.map((p, i) => {
      const ids = gen.tokens[i];
      const shown = ids.length && stop.has(ids[ids.length - 1]) ? ids.slice(0, -1) : ids;
      return { prompt: p.text, promptIds: p.ids, ids, completion: this.s.tokenizer.decode(shown, { skipSpecialTokens: true }) };
    });
    const rewards = await this.s.reward.score(rollouts);
    return rollouts.map((r, i) => ({ ...r, reward: rewards[i] }));
  }

  async step(): Promise<ZoproStepResult> {
    const { ctx, options: o, hyper, policy, reference } = this.s;
    const step = this.record.steps.length;
    const started = performance.now();
    const prompts = this.sampler.next().map((i) => this.s.prompts[i]);
    const rollouts = await this.rollouts(prompts, (hyper.seed ^ Math.imul(step + 1, 0x9e3779b1)) >>> 0);
    const advantages = rlooAdvantages(rollouts.map((r) => r.reward), o.k);

    // The scored batch: each completion scored given its prompt.
    const examples: EncodedExample[] = rollouts.map((r) => ({ kind: 'classification', enc: { promptIds: r.promptIds, candidates: [r.ids], label: 0, fallbacks: [] } }));
    const batch = buildScoredBatch(examples, 'pg', this.s.padId, policy.state.limits.maxCandidates);
    let refScores: Float32Array | null = null;
    if (reference && this.refLoss) {
      reference.setInput(batch.input);
      this.refLoss.setPlan(buildScoringPlan(batch.scored));
      ctx.submit((pass) => {
        reference.encode(pass);
        this.refLoss!.encode(pass);
      }, 'zopro-reference');
      refScores = await ctx.readF32(this.refLoss.buffers.scores, rollouts.length);
    }
    batch.scored.forEach((ex, i) => {
      ex.advantage = advantages[i];
      ex.reference = [refScores ? refScores[i] : 0];
    });
    policy.setInput(batch.input);
    this.loss.setPlan(buildScoringPlan(batch.scored));

    // ZOPrO's direction: mu from the last update, n fresh, mixed at this step's lambda.
    const lambda = lambdaAt(o.lambda, step, hyper.steps);
    const mu = previousUpdate(this.prevTerms, this.prevGrad);
    let terms: MixTerm[] = [{ step, coef: 1 }];
    if (mu.length) {
      this.mixer.setDirection(hyper.seed, terms);
      const noiseNorm = Math.sqrt(await this.mixer.squaredNorm());
      terms = mixTerms(step, mu, lambda, this.prevNorm, noiseNorm);
    }
    this.mixer.setDirection(hyper.seed, terms);
    const zNorm = Math.sqrt(await this.mixer.squaredNorm());

    const evaluate = async (alpha: number): Promise<{ loss: number; scores: Float32Array }> => {
      this.mixer.setAlpha(alpha);
      ctx.submit((pass) => {
        this.mixer.encodeAxpy(pass);
        policy.encode(pass);
        this.loss.encode(pass);
      }, 'zopro-probe');
      const [loss, scores] = await Promise.all([ctx.readF32(this.loss.buffers.batchLoss, 1), ctx.readF32(this.loss.buffers.scores, rollouts.length)]);
      return { loss: loss[0], scores };
    };
    const plus = await evaluate(hyper.eps);
    const minus = await evaluate(-2 * hyper.eps);
    let g = (plus.loss - minus.loss) / (2 * hyper.eps);
    if (!Number.isFinite(g)) g = 0;
    if (hyper.clip > 0) g = Math.min(Math.max(g, -hyper.clip), hyper.clip);
    const lr = lrAt(hyper, step);
    this.mixer.setAlpha(hyper.eps - lr * g); // restore, then move: one pass along the same z
    ctx.submit((pass) => this.mixer.encodeAxpy(pass), 'zopro-update');

    const loss = 0.5 * (plus.loss + minus.loss);
    // The loss as the record entry keeps it (f32), so a resumed run's record equals the whole run's.
    this.record.steps.push({ step, grad: g, lambda, terms, loss: Math.fround(loss) });
    this.prevTerms = terms;
    this.prevGrad = g;
    this.prevNorm = zNorm;

    const rewards = rollouts.map((r) => r.reward);
    const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
    const std = Math.sqrt(rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / rewards.length);
    let kl: number | undefined;
    if (refScores) {
      kl = 0;
      for (let i = 0; i < rollouts.length; i++) kl += 0.5 * (plus.scores[i] + minus.scores[i]) - refScores[i];
      kl /= rollouts.length;
    }
    return {
      metrics: { step, lossPlus: plus.loss, lossMinus: minus.loss, loss, projectedGrad: g, lr, seed: hyper.seed, millis: performance.now() - started },
      reward: { step, objective: 'zopro', split: 'rollout', loss, rewardMean: mean, rewardStd: std, kl, n: rewards.length },
      rollouts,
    };
  }

  destroy(): void {
    this.mixer.destroy();
    this.loss.destroy();
    this.refLoss?.destroy();
  }
}
