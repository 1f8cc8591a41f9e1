// Tolerance: perturb +eps z then -2 eps z then +eps z restores each weight to within three f32
// roundings, |theta' - theta| <= 3 * 2^-24 * (|theta| + 2 eps |z|): float addition is not
// associative, so the round trip is not exact (replay therefore re-applies it; see replay.ts).
// The plus phase alone equals the CPU twin (theta + (eps z)) to 1 ulp (a fused multiply-add is
// allowed on the GPU). Elements outside the ranges must stay bit-identical.
import { describe, expect, it } from 'vitest';
import { perturbRangeCpu } from '../../src/engine/cpu/zo';
import { ZO_DEFAULTS, stepScalars, type ZoHyper } from '../../src/engine/defs/zoConfig';
import { gaussianRange } from '../../src/engine/defs/rng';
import { ZoStepPlan } from '../../src/engine/zo/stepPlan';
import { expectAllclose } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';
import { RANGES, cpuRanges, gpuProblem, initialParams } from './problem';

const h: ZoHyper = { ...ZO_DEFAULTS, seed: 99, eps: 1e-3, q: 2 };
const STEP = 7;

describe('ZO perturbation on the GPU', () => {
  it('the plus phase matches the CPU twin and touches only the ranges', async () => {
    const ctx = await testGpu();
    const init = initialParams();
    const prob = gpuProblem(ctx, [init[0].slice(), init[1].slice()]);
    const plan = new ZoStepPlan(ctx, prob.ranges, h);
    plan.setStep(STEP);
    ctx.submit((pass) => plan.encodeOp(pass, { kind: 'perturb', j: 1, coef: 1 }));
    const got = await prob.read();
    const want = [init[0].slice(), init[1].slice()];
    for (const r of cpuRanges(want)) perturbRangeCpu(r, stepScalars(h, STEP), 1, 1);
    expectAllclose(got[0], want[0], { atol: 0, rtol: 1.2e-7 }, 'buffer 0');
    expectAllclose(got[1], want[1], { atol: 0, rtol: 1.2e-7 }, 'buffer 1');
    // It moved every range element by eps z_1 (not z_0), and nothing else.
    const r0 = RANGES[0];
    const z1 = gaussianRange(h.seed, STEP, 1, r0.stream, r0.count);
    for (let i = 0; i < r0.count; i++) expect(Math.abs(got[0][r0.offset + i] - init[0][r0.offset + i] - 1e-3 * z1[i])).toBeLessThan(1e-6);
    const inside = new Set<number>();
    for (const r of RANGES) if (r.buf === 0) for (let i = 0; i < r.count; i++) inside.add(r.offset + i);
    for (let i = 0; i < init[0].length; i++) if (!inside.has(i)) expect(got[0][i]).toBe(init[0][i]);
    plan.destroy();
    prob.release();
  });

  it('+eps, -2 eps, +eps restores the weights to within three roundings', async () => {
    const ctx = await testGpu();
    const init = initialParams();
    const prob = gpuProblem(ctx, [init[0].slice(), init[1].slice()]);
    const plan = new ZoStepPlan(ctx, prob.ranges, h);
    plan.setStep(STEP);
    ctx.submit((pass) => {
      for (const coef of [1, -2, 1] as const) plan.encodeOp(pass, { kind: 'perturb', j: 0, coef });
    });
    const got = await prob.read();
    let exact = 0;
    let total = 0;
    for (const r of RANGES) {
      const z = gaussianRange(h.seed, STEP, 0, r.stream, r.count);
      for (let i = 0; i < r.count; i++) {
        const before = init[r.buf][r.offset + i];
        const after = got[r.buf][r.offset + i];
        const bound = 3 * 2 ** -24 * (Math.abs(before) + 2 * h.eps * Math.abs(z[i]));
        expect(Math.abs(after - before)).toBeLessThanOrEqual(bound);
        if (after === before) exact++;
        total++;
      }
    }
    // Most weights come back exactly; the rest differ by rounding, which is why replay re-applies it.
    expect(exact / total).toBeGreaterThan(0.5);
    plan.destroy();
    prob.release();
  });

  it('stream ids must be unique per range', async () => {
    const ctx = await testGpu();
    const prob = gpuProblem(ctx);
    const ranges = prob.ranges.map((r) => ({ ...r, stream: 0 }));
    expect(() => new ZoStepPlan(ctx, ranges, h)).toThrow(/own stream/);
    prob.release();
  });
});
