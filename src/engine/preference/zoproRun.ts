// A ZOPrO run on a Session's model and task, behind the Run interface (session/run.ts): the
// task's train prompts, the tuning mode from the config, forward passes sized for prompts x k
// rollouts; each step's outcome carries its reward curve point (mean and spread of reward, KL to
// the start, loss). session/runLoop.ts drives it like every other run.
import type { RewardMetrics, TrainConfig, ZoproOptions } from '../api';
import { promptText } from '../data/encode';
import { LlamaForward } from '../model/llama';
import { zoHyperFromConfig } from '../defs/zoConfig';
import { KvDecoder } from '../generation/kvDecoder';
import { encodePrompt } from '../generation/generate';
import { buildTrainable } from '../session/trainableFromConfig';
import type { TrainableSet } from '../training/trainable';
import type { Run, StepOutcome } from '../session/run';
import { decodeZoproResume, encodeOpenZoproRecord, encodeZoproEntry } from './zoproRecord';
import type { Session } from '../session/session';
import { ruleReward, type RewardSource } from './rewards';
import { ZoproTrainer, type ZoproPrompt } from './zopro';
import { NON_FINITE_ONLY } from '../training/divergence';
import { DEFAULT_ZOPRO, ZOPRO_STEP } from '../config/defaults';
import { EngineStateError } from '../defs/engineError';

/**
 * ZOPrO behind the Run interface: each advance() samples prompts x k rollouts, rewards them and
 * makes one mixed-direction ZO step (preference/zopro.ts); the step is complete when advance()
 * resolves, so nothing is ever in flight. Its reward point and a few rollouts ride on the outcome.
 */
export class ZoproRun implements Run {
  readonly evaluatesTask = false;
  // Equal rewards and no KL legitimately give a loss of exactly 0 on both sides: NaN/Infinity only.
  readonly divergence = NON_FINITE_ONLY;
  readonly zo = null;
  constructor(
    readonly config: TrainConfig,
    readonly trainable: TrainableSet,
    readonly trainer: ZoproTrainer,
    private readonly release: () => void,
    /** The record header's meta (config, model, task, ...); the options go in as meta.zopro. */
    private readonly meta: Record<string, unknown> = {},
  ) {}

  get stepsDone(): number {
    return this.trainer.stepsDone;
  }

  get stepsSubmitted(): number {
    return this.trainer.stepsDone;
  }

  async advance(): Promise<StepOutcome> {
    const r = await this.trainer.step();
    const steps = this.trainer.record.steps;
    return { metrics: r.metrics, entry: encodeZoproEntry(this.trainer.record.hyper, steps[steps.length - 1]), reward: r.reward, rollouts: r.rollouts.map((x) => ({ completion: x.completion, reward: x.reward })) };
  }

  async drain(): Promise<null> {
    return null;
  }

  async evaluations(): Promise<RewardMetrics[]> {
    return [];
  }

  /** Open (zo/record.ts v3 with the 'zopro' extra, zoproRecord.ts): each step's entry extends it. */
  encodeRecord(): Uint8Array {
    return encodeOpenZoproRecord(this.trainer.record, this.meta);
  }

  destroy(): void {
    this.trainer.destroy();
    this.trainable.release?.();
    this.release();
  }
}

/**
 * ZOPrO steps with plain ZO-SGD along one mixed direction a step: it refuses settings it cannot
 * honour rather than ignore them (the training panel hides them for ZOPrO).
 */
export function checkZoproConfig(config: TrainConfig): void {
  const refused = (Object.keys(ZOPRO_STEP) as (keyof typeof ZOPRO_STEP)[]).filter((k) => config[k] !== ZOPRO_STEP[k]);
  if (refused.length) {
    const settings = refused.map((k) => `${k} ${JSON.stringify(config[k])}`).join(', ');
    throw new EngineStateError('unsupported-config', `ZOPrO cannot honour ${settings}: it steps with plain zo-sgd along one mixed direction (q 1), two-sided, without weight decay or clipping. Set those and train again.`);
  }
}

/** Builds a ZOPrO run; `reward` overrides the config's rule (a verbalizer model, an LLM judge). */
export async function startZoproRun(session: Session, config: TrainConfig, resume?: Uint8Array, reward?: RewardSource, meta: Record<string, unknown> = {}): Promise<ZoproRun> {
  checkZoproConfig(config);
  // Read before anything is built: a bad record costs nothing. A resumed run keeps its record's header.
  const saved = resume ? decodeZoproResume(resume, 'the run\'s record') : null;
  const model = session.requireModel();
  const task = session.parsedTask;
  if (!task) throw new EngineStateError('no-task', 'ZOPrO samples from the task\'s train prompts: select a task first');
  // ZOPrO's mixed directions (zo_mixed.wgsl) are built from unscaled z and their norms.
  if (config.blockScales) throw new EngineStateError('unsupported-config', 'ZOPrO does not use learned block variances yet: train it without them.');
  const o: ZoproOptions = { ...DEFAULT_ZOPRO, ...config.zopro };
  const rows = task.splits.train ?? [];
  if (!rows.length) throw new EngineStateError('task-unsuitable', `task ${task.spec.name} has no train rows to take prompts from`);
  const prompts: ZoproPrompt[] = rows.map((row) => {
    const text = promptText(task.spec, row);
    return { text, ids: encodePrompt(model.tokenizer, text, { chat: false }) };
  });
  const longest = Math.max(...prompts.map((p) => p.ids.length));
  const maxSeqLen = Math.min(longest + o.maxNewTokens, model.config.maxPositions);
  const batch = o.prompts * o.k;
  const encodedTask = session.requireTask();
  session.beginRun(config);
  const trainable = await buildTrainable(session.ctx, model, encodedTask, config);
  const limits = { maxBatch: batch, maxSeqLen, maxPositions: batch * o.maxNewTokens, maxCandidates: 1 };
  const policy = new LlamaForward(session.ctx, model.config, model.weights, limits, trainable.hooks);
  // Without hooks the forward pass is the start model, unless full mode trains the weights in place.
  const reference = trainable.mode === 'full' ? null : new LlamaForward(session.ctx, model.config, model.weights, limits);
  const decoder = new KvDecoder(session.ctx, model.config, model.weights, { maxBatch: batch, maxLen: maxSeqLen, maxChunk: longest }, trainable.hooks);
  const eos = model.tokenizer.eosId;
  const trainer = new ZoproTrainer({
    ctx: session.ctx, trainable, policy, reference, decoder, tokenizer: model.tokenizer, prompts,
    reward: reward ?? ruleReward(o.reward), options: o, hyper: zoHyperFromConfig(config),
    stopTokens: eos === null ? [] : [eos], padId: model.tokenizer.padId,
  });
  const run = new ZoproRun(config, trainable, trainer, () => {
    decoder.destroy();
    policy.destroy();
    reference?.destroy();
  }, saved?.meta ?? meta);
  if (saved) {
    try {
      await trainer.resume(saved.record);
    } catch (e) {
      run.destroy();
      throw e;
    }
  }
  return run;
}

