// Tolerance: atol 1e-5, rtol 1e-5 — exp/log in WGSL are not correctly rounded, and the
// batch mean sums in a different order than the CPU loop.
import { describe, it } from 'vitest';
import { LossKernel } from '../../src/engine/gpu/kernels/loss';
import { lossRef } from '../../src/engine/cpu/loss';
import { buildScoringPlan, type LossCoefficients, type LossObjective, type ScoredExample } from '../../src/engine/defs/lossPlan';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';

const TOL = { atol: 1e-5, rtol: 1e-5 };

function randomExamples(n: number, flatSize: number, objective: LossObjective, seed: number): ScoredExample[] {
  const r = randomArray(n * 16, seed, 0.5);
  let k = 0;
  const next = () => r[k++] + 0.5; // [0, 1)
  return Array.from({ length: n }, () => {
    const nc = 1 + Math.floor(next() * 4);
    const candidates = Array.from({ length: nc }, () =>
      Array.from({ length: 1 + Math.floor(next() * 3) }, () => Math.floor(next() * flatSize)),
    );
    return { candidates, label: Math.floor(next() * nc), objective };
  });
}

describe('loss kernel', () => {
  it.each([
    [1, 'classification'],
    [63, 'classification'],
    [257, 'classification'],
    [16, 'lm'],
    [65, 'neg-accuracy'],
  ] as const)('%i examples, %s objective, matches the CPU reference', async (n, objective) => {
    const ctx = await testGpu();
    const flat = 300;
    const logprobs = randomArray(flat, n, 5).map((v) => v - 6);
    const examples = randomExamples(n, flat, objective, 7 * n);
    const plan = buildScoringPlan(examples);
    const lp = ctx.storageFrom('logprobs', logprobs, 'scratch');
    const k = new LossKernel(ctx, lp, { maxExamples: 300, maxCandidates: 1300, maxPlanWords: 8000 });
    k.setPlan(plan);
    ctx.submit((pass) => k.encode(pass));
    const want = lossRef(logprobs, examples);
    expectAllclose(await ctx.readF32(k.buffers.scores, plan.candidates), want.scores, TOL, 'scores');
    expectAllclose(await ctx.readF32(k.buffers.exampleLoss, n), want.exampleLoss, TOL, 'example losses');
    expectAllclose(await ctx.readF32(k.buffers.batchLoss, 1), [want.batchLoss], TOL, 'batch loss');
  });
});

/** Preference objectives: DPO pairs (two candidates, reference scores) and policy-gradient rows. */
function preferenceExamples(n: number, flatSize: number, objective: 'dpo' | 'pg', seed: number): ScoredExample[] {
  const r = randomArray(n * 16, seed, 0.5);
  let k = 0;
  const next = () => r[k++] + 0.5;
  return Array.from({ length: n }, () => {
    const nc = objective === 'dpo' ? 2 : 1;
    const candidates = Array.from({ length: nc }, () => Array.from({ length: 1 + Math.floor(next() * 5) }, () => Math.floor(next() * flatSize)));
    const reference = candidates.map(() => -6 + 2 * (next() - 0.5));
    return { candidates, label: objective === 'dpo' ? Math.floor(next() * 2) : 0, objective, reference, advantage: 4 * (next() - 0.5) };
  });
}

describe('loss kernel, preference objectives', () => {
  it.each([
    [1, 'dpo', { beta: 0.1, klCoef: 0 }],
    [63, 'dpo', { beta: 2, klCoef: 0 }],
    [300, 'dpo', { beta: 5, klCoef: 0 }], // beta multiplies the f32 score rounding: keep it moderate at this tolerance
    [17, 'pg', { beta: 0, klCoef: 0.5 }],
    [257, 'pg', { beta: 0, klCoef: 0 }],
  ] as const)('%i examples, %s objective %o, matches the CPU reference', async (n, objective, coef: LossCoefficients) => {
    const ctx = await testGpu();
    const flat = 300;
    const logprobs = randomArray(flat, n + 1, 5).map((v) => v - 6);
    const examples = preferenceExamples(n, flat, objective, 11 * n);
    const plan = buildScoringPlan(examples);
    const lp = ctx.storageFrom('logprobs', logprobs, 'scratch');
    const k = new LossKernel(ctx, lp, { maxExamples: 300, maxCandidates: 1300, maxPlanWords: 8000 });
    k.setPlan(plan);
    k.setCoefficients(coef);
    ctx.submit((pass) => k.encode(pass));
    const want = lossRef(logprobs, examples, coef);
    expectAllclose(await ctx.readF32(k.buffers.scores, plan.candidates), want.scores, TOL, 'scores');
    expectAllclose(await ctx.readF32(k.buffers.exampleLoss, n), want.exampleLoss, TOL, 'example losses');
    expectAllclose(await ctx.readF32(k.buffers.batchLoss, 1), [want.batchLoss], TOL, 'batch loss');
  });
});
