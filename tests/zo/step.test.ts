// Tolerance: a GPU run equals the CPU reference run (src/engine/cpu/zoPlan.ts) with weights within
// rtol 1e-5 (atol 1e-6 for entries near zero) and projected gradients within rtol 1e-3 (atol 1e-3
// for the rare g near zero). Why not exact: the GPU loss is an f32 tree reduction while the CPU
// loss is summed in f64, and g = (L+ - L-) / 2 eps amplifies that rounding by L / (L+ - L-) ~ 1e2;
// the GPU may also fuse multiply-adds. The Gaussians themselves agree (see rng.test.ts).
import { describe, expect, it } from 'vitest';
import { ZoCpuPlan } from '../../src/engine/cpu/zoPlan';
import { ZO_DEFAULTS, type ZoHyper } from '../../src/engine/defs/zoConfig';
import { ZoStepPlan } from '../../src/engine/zo/stepPlan';
import { zoScript, type ZoStepSummary } from '../../src/engine/defs/zoScript';
import { expectAllclose } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';
import { cpuLoss, cpuRanges, gpuProblem, initialParams } from './problem';

const base: ZoHyper = { ...ZO_DEFAULTS, seed: 1234, eps: 1e-2, lr: 5e-4, weightDecay: 0.1, steps: 20 };

async function runBoth(h: ZoHyper, scales?: readonly number[]) {
  const ctx = await testGpu();
  const init = initialParams();
  const prob = gpuProblem(ctx, [init[0].slice(), init[1].slice()], scales);
  const before = ctx.ledger.snapshot().current.optimizer;
  const plan = new ZoStepPlan(ctx, prob.ranges, h);
  const stateBytes = ctx.ledger.snapshot().current.optimizer - before;
  prob.attach(plan);
  const gpu: ZoStepSummary[] = [];
  for (let t = 0; t < h.steps; t++) {
    plan.setStep(t);
    ctx.submit((pass) => plan.encodeStep(pass, prob.encodeLoss), 'zo-step');
    gpu.push(await plan.readSummary());
  }
  const gpuParams = await prob.read();
  const cpuArrays = [init[0].slice(), init[1].slice()];
  const cpuPlan = new ZoCpuPlan(cpuRanges(cpuArrays, scales), h);
  const cpu = Array.from({ length: h.steps }, (_, t) => cpuPlan.step(t, cpuLoss));
  expect(plan.stateBytes).toBe(stateBytes);
  plan.destroy();
  prob.release();
  return { init, gpu, cpu, gpuParams, cpuArrays, stateBytes };
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return m;
}

function compare(r: Awaited<ReturnType<typeof runBoth>>, h: ZoHyper) {
  if (process.env.ZO_VERBOSE) {
    const g = (s: ZoStepSummary[]) => s.flatMap((x) => Array.from(x.grads));
    console.log(`${h.optimizer} q=${h.q}: max rel grad diff ${maxRel(g(r.gpu), g(r.cpu), 1).toExponential(2)}, weights ${maxRel(r.gpuParams[0], r.cpuArrays[0], 0.1).toExponential(2)}`);
  }
  const flat = (s: ZoStepSummary[]) => s.flatMap((x) => Array.from(x.grads));
  expectAllclose(flat(r.gpu), flat(r.cpu), { atol: 1e-3, rtol: 1e-3 }, 'projected gradients');
  if (h.optimizer === 'zo-sgd-cons') expect(r.gpu.map((s) => s.choice)).toEqual(r.cpu.map((s) => s.choice));
  expectAllclose(r.gpuParams[0], r.cpuArrays[0], { atol: 1e-6, rtol: 1e-5 }, 'weights buffer 0');
  expectAllclose(r.gpuParams[1], r.cpuArrays[1], { atol: 1e-6, rtol: 1e-5 }, 'weights buffer 1');
  // The run moved the weights and lowered the loss: a no-op implementation cannot pass.
  expect(cpuLoss(r.cpuArrays)).toBeLessThan(cpuLoss(r.init) * 0.995);
  // Elements outside every range are never touched.
  for (const i of [0, 1, 2, 304, 342, 349]) expect(r.gpuParams[0][i]).toBe(r.init[0][i]);
}

describe('ZO step: GPU plan equals the CPU reference', () => {
  it('MeZO (zo-sgd, two-sided, q=1, weight decay): 20 steps', async () => {
    const r = await runBoth(base);
    compare(r, base);
    expect(r.stateBytes).toBe(0);
    expect(r.gpu[0].losses[0]).not.toBe(r.gpu[0].losses[1]);
  });

  it('zo-sgd one-sided, q=2, cosine schedule, clipping engaged', async () => {
    const h: ZoHyper = { ...base, oneSided: true, q: 2, schedule: 'cosine', clip: 15, lr: 1e-3, steps: 8 };
    const r = await runBoth(h);
    compare(r, h);
    expect(r.gpu.some((s) => s.grads.some((g) => Math.abs(g) === 15))).toBe(true);
  });

  it('zo-sgd q=3 (record stores f16; training applies the f16-rounded g), linear schedule', async () => {
    const h: ZoHyper = { ...base, q: 3, schedule: 'linear', steps: 6 };
    const r = await runBoth(h);
    compare(r, h);
    for (const s of r.gpu) for (const g of s.grads) expect(Math.fround(g)).toBe(g);
  });

  it('per-block perturbation scales (ZO Fine-tuner): zo-sgd and zo-adam follow u = s z, as the CPU does', async () => {
    const scales = [0.5, 2, 1.25];
    for (const h of [{ ...base, steps: 8 }, { ...base, optimizer: 'zo-adam' as const, lr: 1e-2, steps: 6 }]) {
      const r = await runBoth(h, scales);
      compare(r, h);
      // The scales change the run: the same seeds without them give other projected gradients.
      const plain = await runBoth(h);
      expect(plain.gpu[0].grads[0]).not.toBe(r.gpu[0].grads[0]);
    }
  });

  const family: [ZoHyper['optimizer'], Partial<ZoHyper>, number][] = [
    ['zo-sgd-sign', { lr: 1e-2 }, 0],
    ['zo-sgd-momentum', { lr: 2e-4, beta1: 0.9 }, 1],
    ['zo-sgd-cons', { lr: 5e-4 }, 0],
    ['zo-adam', { lr: 1e-2 }, 2],
  ];
  it.each(family)('%s: 8 steps, state memory reported', async (optimizer, extra, slots) => {
    const h: ZoHyper = { ...base, ...extra, optimizer, weightDecay: 0.05, steps: 8 };
    const r = await runBoth(h);
    compare(r, h);
    expect(r.stateBytes).toBe(slots * 4 * (301 + 37 + 130));
    if (optimizer === 'zo-sgd-cons') {
      // Conservative: each step keeps the best of three points, so L(theta) never goes up (up to
      // the rounding of the moves) and at least one step actually moved.
      const l0 = r.gpu.map((s) => s.losses[2]);
      for (let t = 1; t < l0.length; t++) expect(l0[t]).toBeLessThanOrEqual(l0[t - 1] * (1 + 1e-5));
      expect(r.gpu.some((s) => s.choice !== 1)).toBe(true);
    }
  });
});

describe('ZO step: the last restore is folded into the update', () => {
  it('q = 1 passes over the weights three times (+eps, -2 eps, restore + update)', () => {
    const passes = (h: Partial<ZoHyper>) => zoScript({ ...base, ...h }).filter((op) => op.kind === 'perturb' || op.kind === 'move').length;
    expect(passes({})).toBe(3);
    expect(passes({ oneSided: true })).toBe(2);
    expect(passes({ q: 2 })).toBe(6);
    expect(passes({ optimizer: 'zo-sgd-cons' })).toBe(5);
  });

  it.each(['zo-sgd', 'zo-sgd-momentum', 'zo-adam'] as const)('%s: the folded pass equals restore then update, bit for bit', async (optimizer) => {
    const h: ZoHyper = { ...base, optimizer, q: 2, weightDecay: 0.1, lr: 1e-2 };
    const ctx = await testGpu();
    const init = initialParams();
    const results: Float32Array[][] = [];
    for (const folded of [true, false]) {
      const prob = gpuProblem(ctx, [init[0].slice(), init[1].slice()]);
      const plan = new ZoStepPlan(ctx, prob.ranges, h);
      plan.setStep(3);
      plan.loadRecorded(Float32Array.of(0.75, -1.5));
      const restore = { j: 1, coef: 1 } as const;
      ctx.submit((pass) => {
        for (const coef of [1, -2] as const) plan.encodeOp(pass, { kind: 'perturb', j: 1, coef });
        if (folded) plan.encodeOp(pass, { kind: 'move', coef: 1, restore });
        else for (const op of [{ kind: 'perturb', j: 1, coef: 1 }, { kind: 'move', coef: 1 }] as const) plan.encodeOp(pass, op);
      });
      results.push(await prob.read());
      plan.destroy();
      prob.release();
    }
    for (const b of [0, 1]) {
      const [a, c] = [results[0][b], results[1][b]];
      let same = 0;
      for (let i = 0; i < a.length; i++) same += Object.is(a[i], c[i]) ? 1 : 0;
      expect(same, `buffer ${b}`).toBe(a.length);
    }
    // And the update moved the weights.
    expect(results[0][1].some((x, i) => x !== init[1][i])).toBe(true);
  });
});
