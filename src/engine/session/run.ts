// What a run is to the code that drives it (the run loop, the engine, the CLI): the Run interface
// every objective implements, and TrainerRun, the one over a ZoTrainer. Kept apart from
// session.ts so the objectives that build runs (preference/) depend on this file and not on the
// Session that starts them.
import type { Backend } from '../gpu/backend';
import type { RewardMetrics, StepMetrics, TrainConfig } from '../api';
import { DIVERGENCE_LIMITS, type DivergenceLimits } from '../training/divergence';
import { decodeRunRecord, encodeOpenRecord, encodeRecordSteps } from '../zo/record';
import { replayGpu } from '../zo/replay';
import { checkResumeConfig } from '../zo/validateConfig';
import type { TrainerResume, ZoTrainer } from '../training/trainer';
import type { TrainableSet } from '../training/trainable';
import type { EncodedTask } from './encodedTask';
import type { LoadedModel } from './loadedModel';
import type { EncodedExample } from '../training/batches';
import type { ZoHyper } from '../defs/zoConfig';
import type { LlamaForward } from '../model/llama';

/** Examples per evaluation batch. */
export const EVAL_BATCH = 32;

/** The ZO trainer behind ZO and ZO-DPO runs, as the run and the probes use it. */
export type RunTrainer = Pick<ZoTrainer, 'plan' | 'scorer' | 'record' | 'stepsDone' | 'stepsSubmitted' | 'samplerState' | 'advance' | 'drain' | 'destroy'> &
  Partial<Pick<ZoTrainer, 'stepBatch' | 'scoredBatch'>>;

/** One finished step: its metrics, its record entry and, for ZOPrO, its reward point and a few rollouts. */
export interface StepOutcome {
  metrics: StepMetrics;
  /** The step's record entry: appended to the run's open record (Run.encodeRecord) it extends it
   *  by this step (zo/record.ts: 16 bytes for ZO and ZO-DPO; for ZOPrO a v3 entry, the base and its "zopro" extra). */
  entry: Uint8Array;
  reward?: RewardMetrics;
  rollouts?: { completion: string; reward: number }[];
}

/**
 * A run, whatever its objective: what the one run loop (runLoop.ts), the engine and the CLI drive.
 * ZO (classification, LM, negative accuracy) and ZO-DPO runs are TrainerRuns over a ZoTrainer;
 * ZOPrO is preference/zoproRun.ts. startRun.ts picks the implementation by objective.
 */
export interface Run {
  readonly config: TrainConfig;
  readonly trainable: TrainableSet;
  /** Steps whose results are in (and in the record). */
  readonly stepsDone: number;
  /** Steps submitted to the GPU (stepsDone + the one in flight). */
  readonly stepsSubmitted: number;
  /** The loop evaluates the task's eval split every evalEvery steps (ZOPrO's curves are its rollouts). */
  readonly evaluatesTask: boolean;
  /** When the run loop stops the run as diverged (training/divergence.ts). */
  readonly divergence: DivergenceLimits;
  /** The ZO trainer of ZO and ZO-DPO runs (the loss probe, block-variance learning); null for ZOPrO. */
  readonly zo: RunTrainer | null;
  /** Submits the next step; resolves with an earlier step that finished meanwhile, if any. */
  advance(): Promise<StepOutcome | null>;
  /** The step still in flight, if any (before evaluating, pausing or ending). */
  drain(): Promise<StepOutcome | null>;
  /** Curves an evaluation adds next to the task's accuracy (ZO-DPO's reward metrics). */
  evaluations(step: number): Promise<RewardMetrics[]>;
  /** The replayable record of the steps done, in the format its objective resumes from. It is
   *  open: it followed by later steps' entries (StepOutcome.entry) is the record of those steps too. */
  encodeRecord(): Uint8Array;
  /** Frees what the run built (trainer, LoRA/sparse buffers, its own forward passes). */
  destroy(): void;
}

/** A run stepped by a ZoTrainer: ZO objectives and ZO-DPO (whose evaluations add DPO curves). */
export class TrainerRun implements Run {
  readonly evaluatesTask = true;
  readonly divergence = DIVERGENCE_LIMITS;
  constructor(
    readonly config: TrainConfig,
    readonly trainable: TrainableSet,
    readonly zo: RunTrainer,
    private readonly extraEvaluations?: (step: number) => Promise<RewardMetrics[]>,
    /** Frees what the objective built besides the trainer (ZO-DPO's reference scorer). */
    private readonly release?: () => void,
  ) {}

  get stepsDone(): number {
    return this.zo.stepsDone;
  }

  get stepsSubmitted(): number {
    return this.zo.stepsSubmitted;
  }

  async advance(): Promise<StepOutcome | null> {
    return this.outcome(await this.zo.advance());
  }

  async drain(): Promise<StepOutcome | null> {
    return this.outcome(await this.zo.drain());
  }

  /** The trainer records a step as its metrics arrive: the entry is the record's last step. */
  private outcome(metrics: StepMetrics | null): StepOutcome | null {
    if (!metrics) return null;
    const { header, steps } = this.zo.record;
    const last = steps[steps.length - 1];
    if (last?.step !== metrics.step) throw new Error(`step ${metrics.step} finished but the record ends at step ${last?.step}`);
    return { metrics, entry: encodeRecordSteps(header.hyper, [last], header.extras) };
  }

  async evaluations(step: number): Promise<RewardMetrics[]> {
    return (await this.extraEvaluations?.(step)) ?? [];
  }

  encodeRecord(): Uint8Array {
    return encodeOpenRecord(this.zo.record);
  }

  destroy(): void {
    this.zo.destroy();
    this.trainable.release?.();
    this.release?.();
  }
}

/** What a run stepped by a ZoTrainer is built from (Session.prepareTrainerRun). */
export interface PreparedRun {
  ctx: Backend;
  model: LoadedModel;
  task: EncodedTask;
  train: readonly EncodedExample[];
  trainable: TrainableSet;
  hyper: ZoHyper;
  forward: LlamaForward;
}

/**
 * Builds the ZoTrainer of a ZO or ZO-DPO run and, given its encoded record, continues it: refuses
 * another config, puts the batch sampler where it was, and replays every step onto the freshly
 * built trainable through the trainer's own plan (bit for bit, and the optimizer state, momentum
 * or Adam moments, is rebuilt where training continues: a fresh plan would restart it at zero).
 */
export async function resumableTrainer(
  prepared: PreparedRun, config: TrainConfig, bytes: Uint8Array | undefined, build: (resume?: TrainerResume) => ZoTrainer,
): Promise<ZoTrainer> {
  const record = bytes ? decodeRunRecord(bytes) : undefined;
  if (record) checkResumeConfig(record, config);
  const trainer = build(record && { record, sampler: samplerAfter(record.steps.length)(prepared.train.length, config.batch, prepared.hyper.seed) });
  if (record) {
    await replayGpu(prepared.ctx, prepared.trainable.ranges, record, trainer.plan).catch((e: unknown) => {
      trainer.destroy();
      throw e;
    });
  }
  return trainer;
}

/** The sampler position after `steps` batches: replay the same seeded stream. */
export function samplerAfter(steps: number) {
  return (rows: number, batch: number, seed: number) => {
    let epoch = 0;
    let cursor = 0;
    for (let s = 0; s < steps; s++) {
      if (cursor >= rows) {
        epoch++;
        cursor = 0;
      }
      cursor += Math.min(batch, rows - cursor);
    }
    return { seed, epoch, cursor };
  };
}
