// Learned per-block perturbation variances (ZO Fine-tuner style, src/engine/training/blockScales.ts):
// the scale rule on made-up probe statistics (normalised |Σ|_F² = d, bounded, ordered by energy
// over curvature); learning on the demo model leaves its weights bit-identical; a run with the
// learned scales takes other steps than MeZO's from the same seed; profiles for other tensors
// are refused. (GPU vs CPU with scales: tests/zo/step.test.ts.)
import { startRun } from '../../src/engine/session/startRun';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu';
import { REPO_ROOT } from '../helpers/paths';
import { blockScaleRule, blockScalesOf, applyBlockScales, MAX_SCALE_RATIO } from '../../src/engine/training/blockScales';
import { learnBlockScales } from '../../src/engine/session/learnBlockScales';
import { Session } from '../../src/engine/session/session';
import { loadModel } from '../../src/engine/session/loadedModel';
import { resolveModelNode } from '../../src/engine/model/loaders/nodeResolve';
import { loadTaskFromFiles } from '../../src/engine/data/parse';
import type { TrainConfig } from '../../src/engine/api';

const CONFIG: TrainConfig = {
  mode: 'full', full: { layers: [0, 5], projections: ['q', 'v'] }, optimizer: 'zo-sgd', objective: 'classification', steps: 2, lr: 1e-4, eps: 1e-3,
  batch: 4, q: 1, seed: 7, weightDecay: 0, schedule: 'constant', clip: 0, oneSided: false, evalEvery: 0, evalSplit: 'dev', evalLimit: 8,
};

async function demoSession(): Promise<Session> {
  const ctx = await testGpu();
  const s = new Session(ctx);
  s.setModel(await loadModel(ctx, await resolveModelNode(join(REPO_ROOT, 'public', 'demo-model'), { cache: null }), 'f32'));
  const dir = join(REPO_ROOT, 'public', 'demo-data', 'wn-animal-plant');
  s.setTask(loadTaskFromFiles(['task.json', 'train.jsonl', 'dev.jsonl'].map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }))));
  return s;
}

describe('block scale rule', () => {
  const stats = [
    { name: 'a', count: 100, gradEnergy: 4, curvature: 1 }, // ratio 4
    { name: 'b', count: 300, gradEnergy: 1, curvature: 1 }, // ratio 1
    { name: 'c', count: 50, gradEnergy: 1e4, curvature: 1 }, // ratio 1e4: bounded
    { name: 'd', count: 10, gradEnergy: 1, curvature: -3 }, // negative curvature: floored, not unbounded
  ];
  it('normalises |Σ|_F² to d, bounds the spread, orders blocks by energy over curvature', () => {
    const s = blockScaleRule(stats);
    const d = stats.reduce((a, x) => a + x.count, 0);
    expect(stats.reduce((a, x, i) => a + x.count * s[i] ** 4, 0)).toBeCloseTo(d, 6);
    expect(Math.max(...s) / Math.min(...s)).toBeLessThanOrEqual(MAX_SCALE_RATIO + 1e-9);
    expect(s[0]).toBeGreaterThan(s[1]);
    expect(s[2]).toBeGreaterThanOrEqual(s[0]);
    expect(s.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
  });
  it('gives MeZO (all 1) when every block looks alike', () => {
    const same = [1, 2, 3].map((i) => ({ name: `t${i}`, count: 10 * i, gradEnergy: 2, curvature: 5 }));
    for (const v of blockScaleRule(same)) expect(v).toBeCloseTo(1, 12);
  });
});

describe('learning block scales on the demo model', () => {
  it('probes each block without moving a weight, and a run with the scales steps differently from MeZO', async () => {
    const s = await demoSession();
    const before = await s.evaluate('dev', 8);
    const profile = await learnBlockScales(s, CONFIG, { probes: 2 });
    expect(profile.blocks.map((b) => b.name)).toEqual([
      'model.layers.0.self_attn.q_proj.weight', 'model.layers.0.self_attn.v_proj.weight',
      'model.layers.5.self_attn.q_proj.weight', 'model.layers.5.self_attn.v_proj.weight',
    ]);
    expect(profile.blocks.every((b) => b.scale > 0 && b.gradEnergy >= 0 && Number.isFinite(b.curvature))).toBe(true);
    expect(new Set(profile.blocks.map((b) => b.scale.toFixed(6))).size).toBeGreaterThan(1); // the blocks differ
    expect(s.run).toBeNull();
    const after = await s.evaluate('dev', 8);
    expect(after.loss).toBe(before.loss); // every probed block was copied back bit for bit

    // The first step's projected gradient at the same weights (lr 0: the step's moves undo each
    // other up to rounding), with and without the scales: u = s z is another direction.
    const firstGrad = async (config: TrainConfig) => {
      const run = await startRun(s, { ...config, lr: 0 });
      const m = ((await run.advance()) ?? (await run.drain()))?.metrics;
      s.endRun();
      return m!.projectedGrad;
    };
    const plain = await firstGrad(CONFIG);
    const scaled = await firstGrad({ ...CONFIG, blockScales: blockScalesOf(profile) });
    const plainAgain = await firstGrad(CONFIG);
    expect(Math.abs(plainAgain - plain)).toBeLessThan(1e-3 * Math.abs(plain) + 1e-4);
    expect(Math.abs(scaled - plain)).toBeGreaterThan(10 * Math.abs(plainAgain - plain) + 1e-4);
  });

  it('refuses a profile learned for other tensors, naming what to do', () => {
    const ranges = [{ name: 'model.layers.0.self_attn.q_proj.weight', buffer: null as unknown as GPUBuffer, offset: 0, count: 4, stream: 0, decay: true }];
    expect(() => applyBlockScales(ranges, { 'lora.0.q.A': 1.2 })).toThrow(/Learn them again for this model and tuning mode/);
    expect(() => applyBlockScales(ranges, { 'model.layers.0.self_attn.q_proj.weight': -1 })).toThrow(/positive/);
    applyBlockScales(ranges, { 'model.layers.0.self_attn.q_proj.weight': 1.5 });
    expect((ranges[0] as { scale?: number }).scale).toBe(1.5);
  });
});
