// Starting and driving a ZOPrO run on a Session's model and task: the task's train prompts, the
// tuning mode from the config, forward passes sized for prompts x k rollouts, and a step loop
// that emits step metrics and reward curves (mean and spread of reward, KL to the start, loss)
// and stops cleanly on pause/stop between steps.
import type { EngineEvent, RewardMetrics, StepMetrics, TrainConfig, ZoproOptions } from '../api';
import { promptText } from '../data/encode';
import { LlamaForward } from '../model/llama';
import { releaseActivations } from '../model/activations';
import { zoHyperFromConfig } from '../defs/zoConfig';
import { KvDecoder } from '../generation/kvDecoder';
import { encodePrompt } from '../generation/generate';
import { buildTrainable } from '../session/trainableFromConfig';
import type { TrainableSet } from '../training/trainable';
import type { RunControl } from '../session/runLoop';
import type { Session } from '../session/session';
import { ruleReward, type RewardSource } from './rewards';
import { ZoproTrainer, type ZoproPrompt, type ZoproStepResult } from './zopro';
import { DivergenceWatch, NON_FINITE_ONLY } from '../training/divergence';
import { DEFAULT_ZOPRO } from '../config/defaults';

export interface ZoproRun {
  config: TrainConfig;
  trainable: TrainableSet;
  trainer: ZoproTrainer;
  destroy(): void;
}

/** Builds a ZOPrO run; `reward` overrides the config's rule (a verbalizer model, an LLM judge). */
export async function startZoproRun(session: Session, config: TrainConfig, reward?: RewardSource): Promise<ZoproRun> {
  const model = session.requireModel();
  const task = session.parsedTask;
  if (!task) throw new Error('ZOPrO samples from the task\'s train prompts: select a task first');
  // ZOPrO's mixed directions (zo_mixed.wgsl) are built from unscaled z and their norms.
  if (config.blockScales) throw new Error('ZOPrO does not use learned block variances yet: train it without them.');
  const o: ZoproOptions = { ...DEFAULT_ZOPRO, ...config.zopro };
  const rows = task.splits.train ?? [];
  if (!rows.length) throw new Error(`task ${task.spec.name} has no train rows to take prompts from`);
  const prompts: ZoproPrompt[] = rows.map((row) => {
    const text = promptText(task.spec, row);
    return { text, ids: encodePrompt(model.tokenizer, text, { chat: false }) };
  });
  const longest = Math.max(...prompts.map((p) => p.ids.length));
  const maxSeqLen = Math.min(longest + o.maxNewTokens, model.config.maxPositions);
  const batch = o.prompts * o.k;
  const encodedTask = session.requireTask();
  const trainable = await buildTrainable(session.ctx, model, encodedTask, config);
  if (config.mode === 'full') session.weightsChanged = true;
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
  return {
    config,
    trainable,
    trainer,
    destroy() {
      trainer.destroy();
      trainable.release?.();
      decoder.destroy();
      releaseActivations(session.ctx, policy.state);
      if (reference) releaseActivations(session.ctx, reference.state);
    },
  };
}

export interface ZoproLoopHooks {
  emit(event: EngineEvent): void;
  onStep?(metrics: StepMetrics, reward: RewardMetrics, rollouts: ZoproStepResult['rollouts']): void;
}

/** Steps until config.steps, a pause or a stop; one 'step' and one 'reward' event per step. */
export async function runZoproLoop(run: ZoproRun, runId: string, control: RunControl, hooks: ZoproLoopHooks): Promise<'paused' | 'stopped' | 'finished'> {
  hooks.emit({ kind: 'run-state', runId, state: 'running' });
  const watch = new DivergenceWatch(NON_FINITE_ONLY);
  let diverged = false;
  while (run.trainer.stepsDone < run.config.steps && control.requested === 'none' && !diverged) {
    if (control.pauseAfter !== undefined && run.trainer.stepsDone >= control.pauseAfter) {
      control.requested = 'pause';
      break;
    }
    const r = await run.trainer.step();
    hooks.onStep?.(r.metrics, r.reward, r.rollouts);
    hooks.emit({ kind: 'step', runId, metrics: r.metrics });
    hooks.emit({ kind: 'reward', runId, metrics: r.reward });
    const warning = watch.observe(r.metrics);
    if (warning) {
      hooks.emit({ kind: 'run-warning', runId, warning });
      diverged = warning.stop;
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const outcome = control.requested === 'pause' ? 'paused' : control.requested === 'stop' || diverged ? 'stopped' : 'finished';
  hooks.emit({ kind: 'run-state', runId, state: outcome });
  return outcome;
}
