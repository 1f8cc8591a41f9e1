// One run path for every objective (session/run.ts, startRun.ts, runLoop.ts): a ZO
// (classification), a ZO-DPO and a ZOPrO run each start through Engine.train, pause after their
// second step, continue, export, hand out their record, and a new run resumed from that record
// (what a reload does) rebuilds the exported weights bit for bit. Exact comparisons, no tolerance.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeGpu } from '../../src/engine/gpu/nodeProvider';
import { Engine } from '../../src/engine/engine';
import type { EngineEvent, TaskInput, TrainConfig } from '../../src/engine/api';
import { DEFAULT_TRAIN_CONFIG } from '../../src/engine/config';
import { REPO_ROOT } from '../helpers/paths';
import { startStaticServer, type StaticServer } from '../helpers/staticServer';

function demoTask(name: string, train: number, dev: number): TaskInput {
  const dir = join(REPO_ROOT, 'public', 'demo-data', name);
  const rows = (f: string) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  return { spec: JSON.parse(readFileSync(join(dir, 'task.json'), 'utf8')), splits: { train: rows('train.jsonl').slice(0, train), dev: rows('dev.jsonl').slice(0, dev) } };
}

const BASE: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, mode: 'lora', lora: { rank: 4, alpha: 8, targets: ['q', 'v'] }, steps: 3, lr: 1e-2, eps: 1e-2, batch: 2, seed: 7, evalEvery: 0, evalLimit: 4 };
const RUNS: [string, TrainConfig, string][] = [
  ['classification', { ...BASE, objective: 'classification' }, 'wn-animal-plant'],
  ['dpo', { ...BASE, objective: 'dpo', dpo: { beta: 2 } }, 'wn-define-pref'],
  ['zopro', { ...BASE, objective: 'zopro', zopro: { k: 2, prompts: 2, lambda: { start: 0.5, end: 0.1, schedule: 'linear' }, klCoef: 0.05, reward: { kind: 'regex', pattern: '^\\s*[a-z]' }, maxNewTokens: 2, temperature: 1 } }, 'wn-define-pref'],
];

describe('one run path for ZO, ZO-DPO and ZOPrO', () => {
  let server: StaticServer;
  let engine: Engine;
  const events: EngineEvent[] = [];

  beforeAll(async () => {
    server = await startStaticServer(join(REPO_ROOT, 'public'));
    const { context } = await acquireNodeGpu();
    engine = new Engine(context, server.url);
    engine.subscribe((e) => events.push(e));
    await engine.loadModel({ source: { kind: 'demo' }, precision: 'f32', maxBatch: 4, maxSeqLen: 64 });
  });
  afterAll(async () => server?.close());

  it.each(RUNS)('%s: pause, continue, export, record, and a resumed run rebuilds the weights bit for bit', async (objective, config, task) => {
    await engine.setTask(demoTask(task, 8, 4));
    const id = `run-${objective}`;
    const stop = engine.subscribe((e) => {
      if (e.kind === 'step' && e.runId === id && e.metrics.step - 1 === 1) engine.pause(id); // events count steps done
    });
    await engine.train(id, config);
    stop();
    const states = () => events.filter((e) => e.kind === 'run-state' && e.runId === id).map((e) => (e.kind === 'run-state' ? e.state : ''));
    expect(states()).toEqual(['running', 'paused']);
    await engine.train(id, config); // continue the paused run in place
    expect(states()).toEqual(['running', 'paused', 'running', 'finished']);
    const steps = events.filter((e) => e.kind === 'step' && e.runId === id).map((e) => (e.kind === 'step' ? e.metrics.step - 1 : -1));
    expect(steps).toEqual([0, 1, 2]);
    if (objective === 'zopro') expect(events.filter((e) => e.kind === 'reward' && e.runId === id)).toHaveLength(3);

    const trained = await engine.exportWeights(id);
    const record = await engine.runRecord(id);
    // The record the app builds from events: the last 'run-record' and the step entries after it.
    expect(recordFromEvents(events, id)).toEqual(record);
    expect(trained.length).toBeGreaterThan(0);

    const again = `${id}-resumed`;
    await engine.train(again, config, record); // resume after a reload: replay the record, 0 steps left
    expect(events.filter((e) => e.kind === 'step' && e.runId === again)).toHaveLength(0);
    const replayed = await engine.exportWeights(again);
    expect(replayed.map((f) => f.name)).toEqual(trained.map((f) => f.name));
    for (const [i, f] of replayed.entries()) expect(Buffer.compare(Buffer.from(f.bytes), Buffer.from(trained[i].bytes)), f.name).toBe(0);
    expect(await engine.runRecord(again)).toEqual(record);
    expect(recordFromEvents(events, again)).toEqual(record);
  });

  it('ZOPrO refuses step settings it cannot honour, naming them', async () => {
    const [, zopro] = RUNS[2];
    await expect(engine.train('zopro-adam', { ...zopro, optimizer: 'zo-adam', q: 2 })).rejects.toThrow(/ZOPrO cannot honour optimizer "zo-adam", q 2/);
  });
});

function recordFromEvents(events: readonly EngineEvent[], runId: string): Uint8Array {
  const mine = events.filter((e) => 'runId' in e && e.runId === runId);
  let from = mine.length - 1;
  while (from >= 0 && mine[from].kind !== 'run-record') from--;
  const base = mine[from];
  if (base?.kind !== 'run-record') throw new Error('no run-record event');
  const parts = [base.record, ...mine.slice(from + 1).flatMap((e) => (e.kind === 'step' ? [e.entry] : []))];
  return Uint8Array.from(parts.flatMap((p) => Array.from(p)));
}
