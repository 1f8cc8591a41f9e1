// One GPU, one loaded model, one task: the state both the app's worker and the CLI drive.
// Builds the forward pass sized for the task, evaluates splits, and starts ZO runs in any
// tuning mode (resuming one from its record by replaying it on the freshly loaded weights).
import type { Backend } from '../gpu/backend';
import type { EvalMetrics, TrainConfig } from '../api';
import type { ParsedTask } from '../data/task';
import { LlamaForward, type LinearHook } from '../model/llama';
import { releaseModelWeights } from '../model/weights';
import { applyBlockScales } from '../training/blockScales';
import type { LossObjective } from '../defs/lossPlan';
import { zoHyperFromConfig } from '../defs/zoConfig';
import { TaskScorer } from '../training/scorer';
import type { TrainableSet } from '../training/trainable';
import { buildTrainable } from './trainableFromConfig';
import { encodeTask, type EncodedTask, type LongRows } from './encodedTask';
import type { LoadedModel } from './loadedModel';
import { EVAL_BATCH, type PreparedRun, type Run } from './run';
import { EngineStateError } from '../defs/engineError';

export class Session {
  model: LoadedModel | null = null;
  task: EncodedTask | null = null;
  parsedTask: ParsedTask | null = null;
  private forward: LlamaForward | null = null;
  private forwardKey = '';
  private scorer: TaskScorer | null = null;
  run: Run | null = null;
  /** A full-mode run has been started on these weights since they were loaded: they may differ from the checkpoint. */
  weightsChanged = false;
  private runCount = 0;
  /** Rows longer than the model's context: skipped (default) or truncated (encodedTask.ts). */
  private longRows: LongRows = 'skip';

  constructor(readonly ctx: Backend) {}

  /** Makes `model` current and frees the one it replaces: its GPU weights, and its files unless
   *  both came from the same resolved checkpoint (the same model loaded at another precision). */
  setModel(model: LoadedModel): void {
    this.dropForward();
    this.endRun();
    const old = this.model;
    this.model = model;
    this.weightsChanged = false;
    if (old && old !== model) {
      releaseModelWeights(this.ctx, old.weights);
      if (old.resolved !== model.resolved) void old.resolved.reader.close?.();
    }
    if (this.parsedTask) this.task = this.encode(this.parsedTask, model);
  }

  /** Frees everything the session built on the GPU: the run, the forward pass and the model's
   *  weights (its checkpoint files stay open: they belong to whoever resolved them). */
  destroy(): void {
    this.dropForward();
    this.endRun();
    if (this.model) releaseModelWeights(this.ctx, this.model.weights);
    this.model = null;
    this.task = null;
    this.parsedTask = null;
  }

  /** Drops the current run (its trainer and the GPU state it made); the weights stay as they are. */
  endRun(): void {
    this.run?.destroy();
    this.run = null;
  }

  setTask(task: ParsedTask, longRows: LongRows = 'skip'): EncodedTask {
    const model = this.requireModel();
    this.parsedTask = task;
    this.longRows = longRows;
    this.task = this.encode(task, model);
    this.dropForward();
    return this.task;
  }

  private encode(task: ParsedTask, model: LoadedModel): EncodedTask {
    return encodeTask(task, model.tokenizer, { maxSeqLen: model.config.maxPositions, longRows: this.longRows });
  }

  objectiveFor(config?: Pick<TrainConfig, 'objective'>): LossObjective {
    const task = this.requireTask();
    if (config?.objective === 'neg-accuracy') return 'neg-accuracy';
    if (config?.objective === 'lm' || task.type === 'generation') return 'lm';
    return 'classification';
  }

  /** Accuracy and loss on `split` (the first `limit` rows; 0 = all), with the current weights. */
  async evaluate(split: string, limit = 0, step = this.run?.stepsDone ?? 0): Promise<EvalMetrics> {
    const task = this.requireTask();
    const rows = task.splits[split];
    if (!rows) throw new EngineStateError('task-unsuitable', `task ${task.name} has no split "${split}" (it has ${Object.keys(task.splits).join(', ')})`);
    const examples = limit > 0 ? rows.slice(0, limit) : rows;
    const objective = this.objectiveFor(this.run?.config);
    const scorer = this.scorerFor(this.run?.trainable.hooks ?? [], this.run ? `run-${this.runCount}` : 'base', this.run?.config.batch ?? EVAL_BATCH);
    const r = await scorer.evaluate(examples, objective === 'neg-accuracy' ? 'classification' : objective, EVAL_BATCH);
    return { step, split, accuracy: r.accuracy, loss: r.loss, n: r.n };
  }

  /** Ends the current run before another starts; a full-mode run will write these weights. */
  beginRun(config: Pick<TrainConfig, 'mode'>): void {
    this.requireModel();
    this.requireTask();
    this.endRun();
    if (config.mode === 'full') this.weightsChanged = true;
  }

  /** Makes `run` the session's current run (startRun.ts, after building it). */
  setRun(run: Run): Run {
    this.run = run;
    return run;
  }

  /**
   * What a run stepped by a ZoTrainer (ZO objectives, ZO-DPO) is built from: its trainable set
   * (learned block variances applied) and a forward pass with its hooks, sized for its batch.
   */
  async prepareTrainerRun(config: TrainConfig, prebuilt?: TrainableSet): Promise<PreparedRun> {
    const model = this.requireModel();
    const task = this.requireTask();
    const train = task.splits.train;
    if (!train?.length) throw new EngineStateError('task-unsuitable', `task ${task.name} has no train rows`);
    this.beginRun(config);
    const trainable = prebuilt ?? (await buildTrainable(this.ctx, model, task, config));
    applyBlockScales(trainable.ranges, config.blockScales);
    const forward = this.forwardFor(trainable.hooks, `run-${++this.runCount}`, config.batch);
    return { ctx: this.ctx, model, task, train, trainable, hyper: zoHyperFromConfig(config), forward };
  }

  private scorerFor(hooks: LinearHook[], key: string, trainBatch: number): TaskScorer {
    const forward = this.forwardFor(hooks, key, trainBatch);
    if (!this.scorer) this.scorer = new TaskScorer(this.ctx, forward, this.requireModel().tokenizer.padId);
    return this.scorer;
  }

  /** The forward pass for these hooks, sized for the task's longest batch; rebuilt when the key changes. */
  private forwardFor(hooks: LinearHook[], key: string, trainBatch: number): LlamaForward {
    if (this.forward && this.forwardKey === key) return this.forward;
    const model = this.requireModel();
    const task = this.requireTask();
    this.dropForward();
    const examples = Math.max(trainBatch, EVAL_BATCH);
    this.forward = new LlamaForward(
      this.ctx,
      model.config,
      model.weights,
      {
        maxBatch: examples * task.maxRowsPerExample,
        maxSeqLen: task.maxSeqLen,
        maxPositions: examples * task.maxPositionsPerExample,
        maxCandidates: task.maxCandidates,
      },
      hooks,
    );
    this.forwardKey = key;
    return this.forward;
  }

  private dropForward(): void {
    this.scorer?.destroy();
    this.forward?.destroy();
    this.forward = null;
    this.scorer = null;
    this.forwardKey = '';
  }

  requireModel(): LoadedModel {
    if (!this.model) throw new EngineStateError('no-model', 'no model is loaded: load one first');
    return this.model;
  }

  requireTask(): EncodedTask {
    if (!this.task) throw new EngineStateError('no-task', 'no task is selected: choose or upload one first');
    return this.task;
  }
}
