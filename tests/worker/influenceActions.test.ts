// The Influence view's store actions in Node, against the worker handler and a fake engine with
// influence methods (tests/worker/influenceFake.ts), over the loopback port: computing vectors
// shows progress with time left and caches the engine's file; a "reload" (fresh view state) reads
// the cache back into the engine with no recompute and brings back the saved ranking; weights
// that changed make the cache stale (said, not used); Cancel leaves no vectors; bad states say
// what to do; a run's trajectory attribution is saved with it and deleted with it.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG } from '../../src/engine/config';
import type { ParsedTask } from '../../src/engine/data';
import { EngineClient } from '../../src/worker/client';
import { connectEngine } from '../../src/store/engineBridge';
import { useInfluenceDatabases } from '../../src/store/influence/cache';
import { attributeRun, cancelInfluence, computeVectors, influenceBlocker, queryBlocker, rankQuery, refreshInfluence, selectTrajectoryRun, setInfluenceField } from '../../src/store/influence/actions';
import { DEFAULT_INFLUENCE_SETTINGS, useInfluence } from '../../src/store/influence/slice';
import type { KeyValueStore } from '../../src/store/keyValue';
import { addRun, removeRun } from '../../src/store/runs/actions';
import { emptyEvals, emptyRewards, emptySteps } from '../../src/store/series';
import { getState, setState } from '../../src/store/state';
import type { RunMeta } from '../../src/store/runTypes';
import { InfluenceFake } from './influenceFake';
import { loopback } from './loopback';

class MapStore implements KeyValueStore {
  readonly data = new Map<string, unknown>();
  async get<T>(key: string): Promise<T | undefined> {
    return structuredClone(this.data.get(key)) as T | undefined;
  }
  async set(key: string, value: unknown): Promise<void> {
    this.data.set(key, structuredClone(value));
  }
  async del(key: string): Promise<void> {
    this.data.delete(key);
  }
  async entries(): Promise<[IDBValidKey, unknown][]> {
    return [...this.data.entries()];
  }
}

const task: ParsedTask = {
  spec: { name: 't', type: 'classification', prompt_template: '{text}\nIt is', label_words: [' yes', ' no'], labels: ['yes', 'no'] },
  splits: { train: Array.from({ length: 6 }, (_, i) => ({ text: `train ${i}`, label: i % 2 })), dev: [{ text: 'dev 0', label: 0 }, { text: 'dev 1', label: 1 }] },
  problems: [],
};

/** A fresh view, as after a page reload (the engine and IndexedDB keep what they hold). */
function reloadView(): void {
  useInfluence.setState({ ...DEFAULT_INFLUENCE_SETTINGS, k: 4, progress: null, vectors: null, stale: null, ranking: null, trajectory: null, trajectoryRunId: null, error: null, notice: null });
}

const count = (engine: InfluenceFake, method: string) => engine.calls.filter((c) => c.method === method).length;
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('influence store actions over the worker protocol', () => {
  const engine = new InfluenceFake();
  const vectors = new MapStore();
  const results = new MapStore();

  beforeAll(async () => {
    useInfluenceDatabases(vectors, results);
    await connectEngine(new EngineClient(loopback(engine)));
  });

  it('says what is missing: a model, a task, train rows, a dev split, an idle GPU', () => {
    const base = { ...getState(), engineStatus: 'ready' as const, deviceLost: null };
    expect(influenceBlocker({ ...base, modelStatus: 'idle' })).toMatch(/Load a model first/);
    expect(influenceBlocker({ ...base, modelStatus: 'ready', parsed: null })).toMatch(/Pick a task first/);
    expect(influenceBlocker({ ...base, modelStatus: 'ready', parsed: task, taskApplied: false })).toMatch(/Apply the task/);
    const noTrain = { name: 't', type: 'classification', splits: { dev: 2 }, problems: [] };
    expect(influenceBlocker({ ...base, modelStatus: 'ready', parsed: task, taskApplied: true, taskSummary: noTrain })).toMatch(/no train rows/);
    expect(queryBlocker({ parsed: task, taskSummary: { name: 't', type: 'classification', splits: { train: 6 }, problems: [] } }, DEFAULT_INFLUENCE_SETTINGS)).toMatch(/no dev split: type a prompt/);
    expect(queryBlocker({ parsed: task, taskSummary: null }, { ...DEFAULT_INFLUENCE_SETTINGS, queryKind: 'text', prompt: 'a cat' })).toMatch(/Pick the answer/);
  });

  it('computes vectors with progress and time left, caches them, and ranks the dev row', async () => {
    setState({ modelStatus: 'ready', parsed: task, taskApplied: true, taskSummary: { name: 't', type: 'classification', splits: { train: 6, dev: 2 }, problems: [] } });
    reloadView();
    expect(influenceBlocker(getState())).toBeNull();
    await refreshInfluence();
    expect(useInfluence.getState().vectors).toBeNull(); // nothing cached yet
    expect(useInfluence.getState().stale).toBeNull();

    engine.hold = true;
    const job = computeVectors();
    await tick();
    await tick();
    const p = useInfluence.getState().progress!;
    expect(p.phase).toBe('vectors');
    expect(p.cost).toMatchObject({ rows: 6, k: 4 }); // the cost is known before the work
    expect(p.secondsLeft).toBe(4);
    engine.hold = false;
    engine.release();
    await job;

    const s = useInfluence.getState();
    expect(s.progress).toBeNull();
    expect(s.vectors).toMatchObject({ k: 4, rows: 6, source: 'computed', seconds: 2 });
    expect(vectors.data.size).toBe(1);
    // Dev row 0: scores cos(row); the highest first, the lowest first among opponents.
    expect(s.ranking!.query).toEqual({ split: 'dev', row: 0 });
    expect(s.ranking!.proponents.map((r) => r.row)).toEqual([0, 1, 5, 2, 4, 3]);
    expect(s.ranking!.opponents[0].row).toBe(3);
    expect(engine.calls.find((c) => c.method === 'influenceVectors')!.args[0]).toMatchObject({ k: 4, config: { mode: getState().config.mode } });
  });

  it('after a reload reads the cached vectors into the engine (no recompute) with the saved ranking', async () => {
    const computed = count(engine, 'influenceVectors');
    reloadView();
    await refreshInfluence();
    const s = useInfluence.getState();
    expect(s.vectors).toMatchObject({ k: 4, rows: 6, source: 'cache' });
    expect(count(engine, 'influenceVectors')).toBe(computed);
    expect(count(engine, 'importInfluenceVectors')).toBe(1);
    expect(s.ranking?.proponents[0].row).toBe(0); // saved with the weights it describes
    setInfluenceField('devRow', 1);
    await rankQuery();
    expect(useInfluence.getState().ranking!.proponents[0].row).toBe(5); // cos(row + 1): row 5 first
    expect(count(engine, 'influenceVectors')).toBe(computed);
  });

  it('calls the cache stale once the weights changed, and does not use it', async () => {
    engine.weights = 'w1';
    reloadView();
    await refreshInfluence();
    const s = useInfluence.getState();
    expect(s.vectors).toBeNull();
    expect(s.stale).toMatchObject({ k: 4 });
    expect(s.ranking).toBeNull(); // the saved one was of the other weights
    await rankQuery();
    expect(useInfluence.getState().error?.message).toMatch(/Compute the vectors first/);
  });

  it('cancels a computation: no vectors kept, a notice says so', async () => {
    reloadView();
    engine.hold = true;
    const job = computeVectors();
    await tick();
    await tick();
    cancelInfluence();
    expect(useInfluence.getState().progress?.cancelling).toBe(true);
    await job;
    engine.hold = false;
    const s = useInfluence.getState();
    expect(s.progress).toBeNull();
    expect(s.vectors).toBeNull();
    expect(s.error).toBeNull();
    expect(s.notice).toMatch(/Cancelled/);
    expect(count(engine, 'cancelInfluence')).toBe(1);
  });

  it('attributes a finished run, saves the attribution with the run, and forgets it with the run', async () => {
    const id = 'run-influence';
    const meta: RunMeta = {
      id, name: 'zo run', createdAt: 0, updatedAt: 0, config: { ...DEFAULT_TRAIN_CONFIG, optimizer: 'zo-sgd', q: 1, oneSided: false },
      model: { source: { kind: 'demo' as const }, precision: 'f32' as const, name: 'fake', maxSeqLen: 64 },
      task: { name: 't', demo: false, spec: task.spec }, state: 'finished',
    };
    addRun({ meta, steps: emptySteps(), evals: emptyEvals(), rewards: emptyRewards(), recordStep: 3, version: 0 }, new Uint8Array([7, 7, 7]));
    reloadView();
    await selectTrajectoryRun(id);
    await attributeRun();
    const t = useInfluence.getState().trajectory!;
    expect(t).toMatchObject({ runId: id, steps: 3, predictedTotal: -0.025, actualTotal: -0.026, correlation: 0.99 });
    expect(t.predicted).toHaveLength(3);
    const request = engine.calls.find((c) => c.method === 'influenceTrajectory')!.args[0] as { record: Uint8Array; config: { optimizer: string } };
    expect(Array.from(request.record)).toEqual([7, 7, 7]); // the run's own record, replayed
    expect(request.config.optimizer).toBe('zo-sgd');
    // Saved with the run: a reload brings it back without replaying.
    reloadView();
    await selectTrajectoryRun(id);
    expect(useInfluence.getState().trajectory?.actualTotal).toBe(-0.026);
    expect(count(engine, 'influenceTrajectory')).toBe(1);
    await removeRun(id);
    expect(results.data.has(id)).toBe(false);
  });
});
