// The engine the worker wraps, end to end in Node: the demo model served over HTTP from
// public/, a demo task, evaluation, a few training steps with events, pause/continue, the
// run record, the loss probe (which must leave the weights exactly as they were), and a run
// that diverges being stopped with a warning.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeGpu } from '../../src/engine/gpu/nodeProvider';
import { Engine } from '../../src/engine/engine';
import type { EngineEvent, TrainConfig } from '../../src/engine/api';
import { decodeRunRecord } from '../../src/engine/zo/record';
import { REPO_ROOT } from '../helpers/paths';
import { startStaticServer, type StaticServer } from '../helpers/staticServer';

const TASK_DIR = join(REPO_ROOT, 'public', 'demo-data', 'wn-animal-plant');
const jsonl = (f: string) => readFileSync(join(TASK_DIR, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

const CONFIG: TrainConfig = {
  mode: 'full', optimizer: 'zo-sgd', objective: 'classification', steps: 4, lr: 1e-4, eps: 1e-3, batch: 2, q: 1, seed: 3,
  weightDecay: 0, schedule: 'constant', clip: 0, oneSided: false, evalEvery: 0, evalSplit: 'dev', evalLimit: 8,
};

describe('Engine (the worker-side API) in Node', () => {
  let server: StaticServer;
  let engine: Engine;
  const events: EngineEvent[] = [];
  let baseLoss = NaN;

  beforeAll(async () => {
    server = await startStaticServer(join(REPO_ROOT, 'public'));
    const { context } = await acquireNodeGpu();
    engine = new Engine(context, server.url);
    engine.subscribe((e) => events.push(e));
  });
  afterAll(async () => server?.close());

  it('loads the demo model, sets a task and evaluates', async () => {
    const summary = await engine.loadModel({ source: { kind: 'demo' }, precision: 'f32', maxBatch: 2, maxSeqLen: 64 });
    expect(summary.parameters).toBe(3_934_656);
    expect(events.some((e) => e.kind === 'load-progress')).toBe(true);
    const task = await engine.setTask({ spec: JSON.parse(readFileSync(join(TASK_DIR, 'task.json'), 'utf8')), splits: { train: jsonl('train.jsonl').slice(0, 40), dev: jsonl('dev.jsonl').slice(0, 16) } });
    expect(task.splits).toEqual({ train: 40, dev: 16 });
    const m = await engine.evaluate('dev', 8);
    baseLoss = m.loss;
    expect(m.n).toBe(8);
    expect(m.accuracy).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(m.loss)).toBe(true);
  });

  it('trains, pauses, continues, records and probes without moving the weights', async () => {
    const run = engine.train('r1', { ...CONFIG, steps: 3 });
    await run;
    const steps = events.filter((e) => e.kind === 'step');
    // Events count steps done: the 0-based indices are one less.
    expect(steps.map((e) => (e.kind === 'step' ? e.metrics.step - 1 : -1))).toEqual([0, 1, 2]);
    expect(events.some((e) => e.kind === 'run-state' && e.state === 'finished')).toBe(true);
    const record = decodeRunRecord(await engine.runRecord('r1'));
    expect(record.steps.length).toBe(3);

    const files = await engine.exportWeights('r1');
    expect(files.map((f) => f.name)).toEqual(['model.safetensors']);
    expect(files[0].bytes.length).toBeGreaterThan(15_000_000);

    const before = await engine.evaluate('dev', 8);
    const curve = await engine.lossAlongDirection('perturbation', 4, 5);
    expect(curve.losses).toHaveLength(5);
    expect(curve.losses.every(Number.isFinite)).toBe(true);
    const after = await engine.evaluate('dev', 8);
    expect(after.loss).toBe(before.loss); // the probe restored the weights bit for bit

    const memory = await engine.memory();
    expect(memory.inferenceBaseline).toBeGreaterThan(0);
    expect(memory.ledger.total).toBeGreaterThanOrEqual(memory.inferenceBaseline);
  });

  it('takes exactly one step and pauses when asked for one (Step once), then probes the loss on that step\'s own batch', async () => {
    const from = events.length;
    // lr 0: a step leaves the weights as they were, so the last step's losses can be measured again.
    const config = { ...CONFIG, lr: 0, steps: 10, seed: 11 };
    await engine.train('r-once', config, undefined, 1);
    await engine.train('r-once', config, undefined, 1);
    const mine = events.slice(from).filter((e) => 'runId' in e && e.runId === 'r-once');
    const steps = mine.filter((e) => e.kind === 'step');
    expect(steps.map((e) => (e.kind === 'step' ? e.metrics.step - 1 : -1))).toEqual([0, 1]);
    expect(mine.filter((e) => e.kind === 'run-state').map((e) => (e.kind === 'run-state' ? e.state : ''))).toEqual(['running', 'paused', 'running', 'paused']);

    // At a = ±ε the probe along the last step's direction gives that step's L₊ and L₋.
    const last = steps.at(-1);
    if (last?.kind !== 'step') throw new Error('no step event');
    const curve = await engine.lossAlongDirection('last-update', 1, 3);
    expect(curve.batch).toBe('step');
    expect(curve.step).toBe(last.metrics.step - 1); // the curve names the step's 0-based index
    expect(curve.rows).toHaveLength(CONFIG.batch);
    // The probe signs the direction the way the update went (−sign g): a = +ε is θ − sign(g)·ε·z.
    const [atMinus, , atPlus] = curve.losses;
    const [plus, minus] = last.metrics.projectedGrad > 0 ? [atMinus, atPlus] : [atPlus, atMinus];
    expect(Math.abs(plus - last.metrics.lossPlus)).toBeLessThan(1e-4 * Math.max(1, Math.abs(last.metrics.lossPlus)));
    expect(Math.abs(minus - last.metrics.lossMinus)).toBeLessThan(1e-4 * Math.max(1, Math.abs(last.metrics.lossMinus)));
    const next = await engine.lossAlongDirection('perturbation', 1, 3);
    expect(next.batch).toBe('step');
    expect(next.step).toBe(last.metrics.step);
  });

  it('starts a new full-mode run from the weights as loaded, not from the last run\'s', async () => {
    const trained = await engine.evaluate('dev', 8); // after r1's full-mode steps
    expect(trained.loss).not.toBe(baseLoss);
    await engine.train('r-fresh', { ...CONFIG, lr: 0, steps: 1 }); // lr 0: the step leaves its start weights
    const fresh = await engine.evaluate('dev', 8);
    expect(Math.abs(fresh.loss - baseLoss)).toBeLessThan(1e-5);
  });

  it('frees a finished run\'s LoRA matrices when the next run starts', async () => {
    const lora: TrainConfig = { ...CONFIG, mode: 'lora', lora: { rank: 4, alpha: 8, targets: ['q', 'v'] }, lr: 1e-3, steps: 1 };
    await engine.train('r-lora-1', lora);
    const one = (await engine.memory()).ledger.current.trainable;
    // Per layer: q's A [4, 192] and B [192, 4], v's A [4, 192] and B [64, 4], in f32.
    expect(one).toBe(6 * (4 * 192 + 192 * 4 + 4 * 192 + 64 * 4) * 4);
    await engine.train('r-lora-2', lora);
    expect((await engine.memory()).ledger.current.trainable).toBe(one);
  });

  it('stops a run whose learning rate blows the weights up, and says so', async () => {
    const from = events.length;
    await engine.train('r-diverge', { ...CONFIG, lr: 1e8, steps: 40 });
    const mine = events.slice(from);
    const warning = mine.find((e) => e.kind === 'run-warning');
    expect(warning?.kind === 'run-warning' && warning.warning).toMatchObject({ stop: true });
    expect(warning?.kind === 'run-warning' && warning.warning.message).toMatch(/learning rate/);
    expect(mine.some((e) => e.kind === 'run-state' && e.runId === 'r-diverge' && e.state === 'stopped')).toBe(true);
    expect(mine.filter((e) => e.kind === 'step').length).toBeLessThan(40);
  });

  it('frees the previous model on the GPU when another one is loaded', async () => {
    const request = { source: { kind: 'demo' as const }, maxBatch: 2, maxSeqLen: 64 };
    // Loaded afresh: the model's weights alone (a forward pass built since adds its RoPE table, freed with it).
    await engine.loadModel({ ...request, precision: 'f32' });
    const f32 = (await engine.memory()).ledger.current.weights;
    expect(f32).toBeGreaterThan(15_000_000);
    await engine.loadModel({ ...request, precision: 'q8' });
    const q8 = (await engine.memory()).ledger.current.weights;
    expect(q8).toBeLessThan(f32 / 2); // the f32 weights are gone, not kept beside the q8 ones
    await engine.loadModel({ ...request, precision: 'f32' });
    expect((await engine.memory()).ledger.current.weights).toBe(f32);
    expect((await engine.evaluate('dev', 8)).n).toBe(8); // the same checkpoint's files are still readable
  });
});
