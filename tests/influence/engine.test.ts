// Influence through the engine API on the tiny demo-tokenizer model (tests/fixtures/tinyModel.ts),
// on the CPU backend (the same step plan and loss kernels behind the backend interface; it runs this
// file in 2 s where SwiftShader's shader compiles take about a minute; the WebGPU path's d_i are
// checked against their CPU twin in jl.test.ts and through the CLI in tests/cli/influence.test.ts):
// per-tensor block directions (K per tensor; a train row typed as a prompt finds itself first),
// vectors of every train row with a cost reported first, the weights bit-identical afterwards,
// the same bytes when computed twice, the cache file read back (and refused for another task or
// when damaged), rankings, cancel, and trajectory attribution of a 12-step run (lr 1e-4): the
// per-row contributions add up to the predicted first-order change (tolerance 1e-3 relative: f32
// per-row differences summed in f64 against the GPU's batch-mean difference), and the predicted
// per-step changes track the actual ones (measured: totals 0.1592 predicted / 0.1634 actual,
// ratio 0.974, per-step correlation 1.000; asserted: correlation > 0.9, ratio 0.8..1.25).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import type { EngineEvent, TaskInput, TrainConfig } from '../../src/engine/api';
import { CpuBackend } from '../../src/engine/backends/cpu/cpuBackend';
import { DEMO_DATA } from '../helpers/paths';
import { startStaticServer, type StaticServer } from '../helpers/staticServer';
import { writeTinyDemoModel } from '../fixtures/tinyModel';
import type { Session } from '../../src/engine/session/session';
import { InvalidFileError } from '../../src/engine/files/invalidFile';
import { decodeRunRecord } from '../../src/engine/zo/record';

const TASK = join(DEMO_DATA, 'wn-animal-plant');
const jsonl = (f: string) => readFileSync(join(TASK, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const taskInput = (train: number): TaskInput => ({ spec: JSON.parse(readFileSync(join(TASK, 'task.json'), 'utf8')), splits: { train: jsonl('train.jsonl').slice(0, train), dev: jsonl('dev.jsonl').slice(0, 4) } });
const CONFIG: TrainConfig = {
  mode: 'full', optimizer: 'zo-sgd', objective: 'classification', steps: 4, lr: 1e-3, eps: 1e-3, batch: 4, q: 1, seed: 7,
  weightDecay: 0, schedule: 'constant', clip: 0, oneSided: false, evalEvery: 0, evalSplit: 'dev', evalLimit: 4,
};

async function weightBits(engine: Engine): Promise<Uint32Array[]> {
  const session = (engine as unknown as { session: Session }).session;
  const out: Uint32Array[] = [];
  for (const [, t] of session.model!.weights.names) if (!('data' in t)) out.push(await session.ctx.readU32(t));
  return out;
}

describe('influence through the engine', () => {
  let dir: string;
  let server: StaticServer;
  let engine: Engine;
  const events: EngineEvent[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zo-influence-'));
    writeTinyDemoModel(join(dir, 'model'));
    server = await startStaticServer(dir);
    engine = new Engine(await CpuBackend.create(), server.url);
    engine.subscribe((e) => events.push(e));
    await engine.loadModel({ source: { kind: 'url', url: new URL("model", server.url).href }, precision: 'f32', maxBatch: 4, maxSeqLen: 64 });
    await engine.setTask(taskInput(12));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('computes every train row\'s vector without moving the weights, reproducibly, and reads its cache back', async () => {
    const before = await weightBits(engine);
    const v = await engine.influenceVectors({ requestId: 'v1', k: 8, config: CONFIG });
    expect(await weightBits(engine)).toEqual(before);
    expect(v.rows).toBe(12);
    expect(v.dims).toBe(8);
    expect(v.cost.perturbationPasses).toBe(16);
    expect(v.cost.forwards).toBe(16 * Math.ceil(12 / v.cost.batch));
    expect(v.bytes.length).toBeGreaterThan(v.cost.cacheBytes);
    const progress = events.filter((e) => e.kind === 'influence-progress' && e.requestId === 'v1');
    expect(progress[0]).toMatchObject({ done: 0, total: 8, cost: v.cost });
    expect(progress.at(-1)).toMatchObject({ done: 8, total: 8 });

    const again = await engine.influenceVectors({ requestId: 'v2', k: 8, config: CONFIG });
    expect(again.bytes).toEqual(v.bytes);

    const imported = await engine.importInfluenceVectors(v.bytes, CONFIG);
    expect(imported.key).toEqual(v.key);
    const damaged = v.bytes.slice(0, v.bytes.length - 4);
    await expect(engine.importInfluenceVectors(damaged, CONFIG)).rejects.toBeInstanceOf(InvalidFileError);

    const [ranking] = await engine.influenceRank({ requestId: 'q1', queries: [{ split: 'dev', row: 0 }], top: 3 });
    expect(ranking.scores.length).toBe(12);
    expect(ranking.proponents.map((p) => p.score)).toEqual([...ranking.scores].sort((a, b) => b - a).slice(0, 3));
    expect(ranking.opponents[0].score).toBe(Math.min(...ranking.scores));
    // A train row as its own query is its own top proponent (cosine 1 up to f16 rounding).
    const spec = JSON.parse(readFileSync(join(TASK, 'task.json'), 'utf8'));
    const row = jsonl('train.jsonl')[5];
    const [self] = await engine.influenceRank({ requestId: 'q2', queries: [{ prompt: `${row.text}\nThis is a kind of`, answer: spec.label_words[row.label] }], top: 1 });
    expect(self.proponents[0].row).toBe(5);
    expect(self.proponents[0].score).toBeGreaterThan(0.999);
    expect(await weightBits(engine)).toEqual(before);

    await engine.setTask(taskInput(10));
    await expect(engine.importInfluenceVectors(v.bytes, CONFIG)).rejects.toMatchObject({ kind: 'vectors-mismatch' });
    await engine.setTask(taskInput(12));
  });

  it('per-tensor block directions: K per tensor, each tensor normalised, a row finds itself', async () => {
    const before = await weightBits(engine);
    const v = await engine.influenceVectors({ requestId: 'b1', k: 2, config: CONFIG, blocks: true });
    expect(await weightBits(engine)).toEqual(before);
    const tensors = v.blocks!.length;
    expect(tensors).toBe(v.cost.tensors);
    expect(v.dims).toBe(2 * tensors);
    expect(v.cost.perturbationPasses).toBe(2 * 2 * tensors);
    const spec = JSON.parse(readFileSync(join(TASK, 'task.json'), 'utf8'));
    const row = jsonl('train.jsonl')[3];
    const [self] = await engine.influenceRank({ requestId: 'b2', queries: [{ prompt: `${row.text}\nThis is a kind of`, answer: spec.label_words[row.label] }], top: 1 });
    expect(self.proponents[0].row).toBe(3);
    expect(self.proponents[0].score).toBeGreaterThan(0.999);
  });

  it('cancels a computation and leaves the weights as they were', async () => {
    const before = await weightBits(engine);
    const off = engine.subscribe((e) => {
      if (e.kind === 'influence-progress' && e.requestId === 'c1' && e.done === 2) engine.cancelInfluence('c1');
    });
    await expect(engine.influenceVectors({ requestId: 'c1', k: 64, config: CONFIG })).rejects.toMatchObject({ kind: 'cancelled' });
    off();
    expect(await weightBits(engine)).toEqual(before);
  });

  it('attributes a run\'s trajectory: contributions add up to the predicted change, which tracks the actual one', async () => {
    const config = { ...CONFIG, steps: 12, lr: 1e-4 };
    await engine.train('t1', config);
    const record = await engine.runRecord('t1');
    const t = await engine.influenceTrajectory({ requestId: 'tr', query: { split: 'dev', row: 1 }, record, config, top: 3 });
    console.log(`trajectory (tiny model, 12 steps): predicted ${t.predictedTotal.toExponential(3)}, actual ${t.actualTotal.toExponential(3)}, ratio ${(t.predictedTotal / t.actualTotal).toFixed(3)}, per-step correlation ${t.correlation.toFixed(3)}`);
    expect(t.steps).toBe(12);
    const sum = t.contributions.reduce((a, v) => a + v, 0);
    expect(Math.abs(sum - t.predictedTotal)).toBeLessThanOrEqual(1e-3 * Math.abs(t.predictedTotal));
    expect(t.correlation).toBeGreaterThan(0.9);
    expect(t.predictedTotal / t.actualTotal).toBeGreaterThan(0.8);
    expect(t.predictedTotal / t.actualTotal).toBeLessThan(1.25);
    expect(t.lossAfter - t.lossBefore).toBeCloseTo(t.actualTotal, 6);
    expect(t.proponents.every((p) => t.contributions[p.row] !== 0)).toBe(true);

    // The same run recording its rows' d_i (record extra 'row-derivs'): the same steps bit for bit
    // (the step's ops are split over three submits, in the same order), the same query losses, and
    // contributions from the stored f16 d_i within f16 rounding (2^-11 relative) of the recomputed ones.
    const stored = { ...config, rowDerivatives: true };
    await engine.train('t2', stored);
    const record2 = await engine.runRecord('t2');
    const decoded = decodeRunRecord(record2);
    expect(decoded.header.extras).toEqual(['row-derivs']);
    expect(decoded.steps.map((s) => s.values[0])).toEqual(decodeRunRecord(record).steps.map((s) => s.values[0]));
    expect(decoded.steps.every((s) => s.extras?.['row-derivs']?.length === 4)).toBe(true);
    const t2 = await engine.influenceTrajectory({ requestId: 'tr2', query: { split: 'dev', row: 1 }, record: record2, config: stored, top: 3 });
    expect(Array.from(t2.predicted)).toEqual(Array.from(t.predicted));
    expect(Array.from(t2.actual)).toEqual(Array.from(t.actual));
    const scale = Math.max(...Array.from(t.contributions, Math.abs));
    for (let i = 0; i < t.contributions.length; i++) expect(Math.abs(t2.contributions[i] - t.contributions[i])).toBeLessThanOrEqual(2e-3 * scale);
  });
});
