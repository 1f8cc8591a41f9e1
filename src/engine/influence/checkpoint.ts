// RapidIn-style influence at a checkpoint, zeroth-order: every train row's K-vector of
// directional derivatives at the current weights (the held run's, or the loaded model's in a
// tuning mode), cached as an f16 file keyed by model, weights and task, and rows ranked for a
// query by cosine similarity with the query's own K-vector along the same seeded directions.
// The weights are bit-identical afterwards (directions.ts restores them from a snapshot).
import type { InfluenceCost, InfluenceKey, InfluenceQuery, InfluenceRanking, TrainConfig } from '../api';
import type { Backend } from '../gpu/backend';
import type { LossObjective } from '../defs/lossPlan';
import { EngineStateError } from '../defs/engineError';
import type { EncodedExample } from '../training/batches';
import type { TaskScorer } from '../training/scorer';
import type { TrainableRange } from '../training/trainable';
import type { Session } from '../session/session';
import { startRun } from '../session/startRun';
import { DirectionPlan } from './directions';
import { rowDerivatives } from './rowDerivatives';
import { influenceCost } from './cost';
import { encodeInfluenceFile, decodeInfluenceFile, type InfluenceFileHeader, type InfluenceVectors } from './cacheFile';
import { influenceKey } from './keys';
import { queryExample } from './query';
import { influenceScores, topRows } from './ranking';

export const INFLUENCE_DEFAULTS = { k: 256, seed: 0, eps: 1e-3, top: 10 };

/** What the directions act on: the ranges, a scorer whose forward has their hooks, the objective. */
export interface InfluenceFrame {
  ctx: Backend;
  ranges: readonly TrainableRange[];
  scorer: TaskScorer;
  objective: LossObjective;
  /** Examples per forward. */
  batch: number;
}

export interface VectorOptions {
  k: number;
  seed: number;
  eps: number;
  blocks: boolean;
  /** Called once with the cost before any work, then after every direction; throw to cancel. */
  onProgress?: (done: number, total: number, cost: InfluenceCost) => void;
}

/**
 * Runs `work` on the frame of the held ZO run (its trainable ranges and scorer), or on a trainable
 * set of `config`'s mode built for the purpose and dropped afterwards (the weights untouched).
 */
export async function withInfluenceFrame<T>(session: Session, config: TrainConfig, work: (frame: InfluenceFrame) => Promise<T>): Promise<T> {
  const task = session.requireTask();
  if (!task.splits.train?.length) throw new EngineStateError('task-unsuitable', `task ${task.name} has no train rows to rank`);
  const held = session.run?.zo ? session.run : null;
  const runConfig = held?.config ?? config;
  if (runConfig.objective === 'dpo' || runConfig.objective === 'zopro') {
    throw new EngineStateError('unsupported-config', 'Influence ranks rows by their loss under the task objective: use a classification or text task (DPO and ZOPrO runs are not supported).');
  }
  const objective: LossObjective = session.objectiveFor(runConfig) === 'lm' ? 'lm' : 'classification';
  const frameOf = (run: NonNullable<Session['run']>): InfluenceFrame => {
    const scorer = run.zo!.scorer;
    const limits = scorer.forward.state.limits;
    const batch = Math.max(1, Math.min(Math.floor(limits.maxBatch / task.maxRowsPerExample), Math.floor(limits.maxPositions / task.maxPositionsPerExample)));
    return { ctx: session.ctx, ranges: run.trainable.ranges, scorer, objective, batch };
  };
  if (held) return work(frameOf(held));
  const changedBefore = session.weightsChanged;
  const run = await startRun(session, config);
  try {
    return await work(frameOf(run));
  } finally {
    session.endRun();
    session.weightsChanged = changedBefore; // nothing was stepped: the weights are as they were
  }
}

/** d_ik of `examples` along directions 0..k-1 ([examples, dims]; blocks: each tensor's k in tensor order). */
export async function vectorsOf(frame: InfluenceFrame, examples: readonly EncodedExample[], o: VectorOptions): Promise<{ vectors: Float32Array; loss: Float64Array; cost: InfluenceCost }> {
  const cost = influenceCost({ rows: examples.length, k: o.k, blocks: o.blocks, ranges: frame.ranges, batch: frame.batch });
  // Whole-model directions are isotropic even when a run perturbs with learned block scales.
  const groups = o.blocks ? frame.ranges.map((r) => [{ ...r, scale: 1 }]) : [frame.ranges.map((r) => ({ ...r, scale: 1 }))];
  const total = o.k * groups.length;
  o.onProgress?.(0, total, cost);
  const n = examples.length;
  const vectors = new Float32Array(n * cost.dims);
  const loss = new Float64Array(n);
  for (const [g, ranges] of groups.entries()) {
    const plan = new DirectionPlan(frame.ctx, ranges, o.seed, o.eps);
    try {
      const r = await rowDerivatives(frame.ctx, frame.scorer, plan, examples, frame.objective, {
        k: o.k, batch: frame.batch, onDirection: (done) => o.onProgress?.(g * o.k + done, total, cost),
      });
      for (let i = 0; i < n; i++) {
        vectors.set(r.d.subarray(i * o.k, (i + 1) * o.k), i * cost.dims + g * o.k);
        loss[i] += r.loss[i] / groups.length;
      }
    } finally {
      await plan.destroy();
    }
  }
  return { vectors, loss, cost };
}

/** Every train row's vectors as a cache file (and decoded from it, so rankings read what a reload reads). */
export async function trainVectors(session: Session, config: TrainConfig, o: VectorOptions): Promise<{ file: InfluenceVectors; bytes: Uint8Array; cost: InfluenceCost }> {
  const key = await influenceKey(session, config); // before the frame: a fresh frame is a run of its own
  return withInfluenceFrame(session, config, async (frame) => {
    const train = session.requireTask().splits.train;
    const { vectors, cost } = await vectorsOf(frame, train, o);
    const header: InfluenceFileHeader = {
      format: 'zo-studio-influence', version: 1, key, k: o.k, seed: o.seed, eps: o.eps,
      blocks: o.blocks ? frame.ranges.map((r) => r.name) : null, rows: train.length, dims: cost.dims,
    };
    const bytes = encodeInfluenceFile(header, vectors);
    return { file: decodeInfluenceFile(bytes), bytes, cost };
  });
}

/** Checks that cached vectors belong to the current model, weights and task. */
export function checkVectorsKey(file: InfluenceVectors, key: InfluenceKey, rows: number): void {
  const stale = (['model', 'weights', 'task'] as const).filter((p) => file.header.key[p] !== key[p]);
  if (stale.length) {
    throw new EngineStateError('vectors-mismatch', `These influence vectors were computed for other ${stale.join(' and ')} than the current ones: compute them again.`);
  }
  if (file.header.rows !== rows) throw new EngineStateError('vectors-mismatch', `These influence vectors have ${file.header.rows} rows; the task has ${rows} train rows: compute them again.`);
}

/** Why a cached file cannot serve these settings and weights (null: it can). */
export function vectorsCacheMatches(file: InfluenceVectors, key: InfluenceKey, rows: number, o: Pick<VectorOptions, 'k' | 'seed' | 'eps' | 'blocks'>): string | null {
  const h = file.header;
  if (h.key.model !== key.model || h.key.weights !== key.weights || h.key.task !== key.task) return 'it was computed for other model, weights or task';
  if (h.rows !== rows) return `it has ${h.rows} rows, the task ${rows}`;
  if (h.k !== o.k || h.seed !== o.seed || h.eps !== o.eps || (h.blocks !== null) !== o.blocks) return 'it was computed with other K, seed, eps or blocks';
  return null;
}

/** Ranks the train rows for each query against `file` (its directions, seed and eps). */
export async function rankQueries(
  session: Session, config: TrainConfig, file: InfluenceVectors, queries: readonly InfluenceQuery[], top: number,
  onProgress?: (done: number, total: number, cost: InfluenceCost) => void,
): Promise<InfluenceRanking[]> {
  const examples = queries.map((q) => queryExample(session, q));
  checkVectorsKey(file, await influenceKey(session, config), session.requireTask().splits.train.length);
  return withInfluenceFrame(session, config, async (frame) => {
    const { header } = file;
    const blocks = header.blocks?.length ?? 1;
    if (header.blocks && header.blocks.join('\n') !== frame.ranges.map((r) => r.name).join('\n')) {
      throw new EngineStateError('vectors-mismatch', 'These influence vectors were computed over other tensors: compute them again.');
    }
    const q = await vectorsOf(frame, examples, { k: header.k, seed: header.seed, eps: header.eps, blocks: header.blocks !== null, onProgress });
    return queries.map((query, i) => {
      const scores = influenceScores(file.vectors, header.dims, q.vectors.subarray(i * header.dims, (i + 1) * header.dims), blocks);
      const { highest, lowest } = topRows(scores, top, session.requireTask().sourceRows.train);
      return { query, queryLoss: q.loss[i], proponents: highest, opponents: lowest, scores };
    });
  });
}
