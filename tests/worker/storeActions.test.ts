// The store's actions in Node, against the worker handler and the fake engine (tests/worker/
// loopback.ts wires an EngineClient to handleRequest): connecting the engine, loading a model
// into the store, a failed reload that keeps the loaded model and shows the engine's typed error
// kind, and engine events reaching a registered run's series in one flush.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG } from '../../src/engine/config';
import { GpuOutOfMemoryError } from '../../src/engine/gpu/errors';
import { EngineClient } from '../../src/worker/client';
import { connectEngine, flush } from '../../src/store/engineBridge';
import { loadModel } from '../../src/store/model/actions';
import { addRun } from '../../src/store/runs/actions';
import { savedRecord } from '../../src/store/runs/records';
import { emptyEvals, emptyRewards, emptySteps } from '../../src/store/series';
import { getState } from '../../src/store/state';
import type { RunMeta } from '../../src/store/runTypes';
import { FakeEngine } from './fakeEngine';
import { loopback } from './loopback';

describe('store actions over the worker protocol', () => {
  const engine = new FakeEngine();

  it('connects the engine, loads a model, and keeps it when a reload fails with a typed error', async () => {
    await connectEngine(new EngineClient(loopback(engine)));
    expect(getState().engineStatus).toBe('ready');
    expect(getState().adapter?.adapter.description).toBe('Fake adapter');

    expect(await loadModel()).toBe(true);
    expect(getState().modelStatus).toBe('ready');
    expect(getState().summary?.name).toBe('fake');
    const request = engine.calls.find((c) => c.method === 'loadModel')!.args[0];
    expect(request).toMatchObject({ source: { kind: 'demo' }, precision: getState().precision, maxSeqLen: getState().maxSeqLen });

    engine.failNextWith = new GpuOutOfMemoryError('weights', 1 << 30);
    expect(await loadModel()).toBe(false);
    expect(getState().modelError?.kind).toBe('gpu-out-of-memory');
    expect(getState().modelStatus).toBe('ready'); // the model loaded before stays usable
    expect(getState().summary?.name).toBe('fake');
  });

  it('applies step, eval and run-state events to the run they name in one flush', async () => {
    const id = 'run-1';
    const meta: RunMeta = {
      id, name: 'test run', createdAt: 0, updatedAt: 0, config: DEFAULT_TRAIN_CONFIG,
      model: { source: { kind: 'demo' as const }, precision: 'f32' as const, name: 'fake', maxSeqLen: 64 },
      task: { name: 't', demo: false, spec: { name: 't', type: 'classification', prompt_template: '{text}' } as RunMeta['task']['spec'] },
      state: 'running',
    };
    addRun({ meta, steps: emptySteps(), evals: emptyEvals(), rewards: emptyRewards(), recordStep: 0, version: 0 });
    const step = (i: number) => ({ step: i, lossPlus: 1, lossMinus: 0.5, loss: 0.75, projectedGrad: 250, lr: 1e-4, seed: 0, millis: 3 });
    // Events count steps done (api.ts EngineEvent); each step carries its record entry, which the
    // store appends to the record the run began with: it never asks the engine for the record.
    engine.emit({ kind: 'run-record', runId: id, record: new Uint8Array([9, 9]), stepsDone: 0 });
    engine.emit({ kind: 'step', runId: id, metrics: step(1), entry: new Uint8Array([1, 1]) });
    engine.emit({ kind: 'step', runId: id, metrics: step(2), entry: new Uint8Array([2, 2]) });
    engine.emit({ kind: 'eval', runId: id, metrics: { step: 2, split: 'dev', accuracy: 0.5, loss: 0.7, n: 8 } });
    engine.emit({ kind: 'run-state', runId: id, state: 'paused' });
    await new Promise((r) => setTimeout(r, 0)); // the events cross the loopback
    flush();
    const run = getState().runs[id];
    expect(Array.from(run.steps.step)).toEqual([1, 2]); // steps done, as evaluations count them
    expect(Array.from(run.evals.step)).toEqual([2]);
    expect(run.meta.state).toBe('paused');
    expect(Array.from(savedRecord(id)!)).toEqual([9, 9, 1, 1, 2, 2]);
    expect(engine.calls.some((c) => c.method === 'runRecord')).toBe(false);
  });
});
