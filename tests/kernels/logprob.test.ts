// Tolerance: 1e-5 relative + 1e-5 absolute for log-probabilities (a softmax statistic summed
// over up to 128K terms in a different order; the result is ~log(vocab) in size, so 1e-5
// absolute is ~1 ulp-scale noise from exp/log). gather_rows is exact (it moves bits).
// Every logprob case runs on both variants (tree-reducing 'workgroup', barrier-free 'software'),
// whatever the adapter.
import { describe, expect, it } from 'vitest';
import { GatherRowsKernel, LogProbKernel } from '../../src/engine/gpu/kernels/logprob';
import { gatherRowsRef, logProbRef } from '../../src/engine/cpu/logprob';
import type { GpuContext } from '../../src/engine/gpu/context';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';

const TOL = { atol: 1e-5, rtol: 1e-5 };

function randomTargets(n: number, vocab: number, seed: number): Uint32Array {
  return Uint32Array.from(randomArray(n, seed), (u) => Math.floor(((u + 1) / 2) * vocab) % vocab);
}

async function logprob(variant: 'workgroup' | 'software', ctx: GpuContext, logits: Float32Array, vocab: number, targets: Uint32Array, candidates: number, maxPositions: number, positions: number): Promise<Float32Array> {
  const l = ctx.storageFrom('logits', logits, 'activations');
  const t = ctx.storageFrom('targets', targets, 'activations');
  const out = ctx.createStorage('out', maxPositions * candidates * 4, 'activations');
  const k = new LogProbKernel(ctx, { logits: l, targets: t, out, vocab, candidates, maxPositions, variant });
  expect(k.variant).toBe(variant);
  k.setPositions(positions);
  ctx.submit((pass) => k.encode(pass));
  return ctx.readF32(out, positions * candidates);
}

describe('gather_rows', () => {
  it.each([[1, 1, 1], [5, 63, 3], [40, 64, 17], [9, 65, 9], [300, 257, 64]])('%i source rows of width %i, %i picked', async (rows, dim, n) => {
    const ctx = await testGpu();
    const src = randomArray(rows * dim, rows + dim);
    const idx = randomTargets(n, rows, n);
    idx[n - 1] = rows - 1;
    const dst = ctx.createStorage('dst', (n + 2) * dim * 4, 'activations');
    const k = new GatherRowsKernel(ctx, { src: ctx.storageFrom('src', src, 'activations'), indices: ctx.storageFrom('idx', idx, 'activations'), dst, dim, maxOut: n + 2 });
    k.setCount(n);
    ctx.submit((pass) => k.encode(pass));
    const got = await ctx.readF32(dst);
    expect(Array.from(got.subarray(0, n * dim))).toEqual(Array.from(gatherRowsRef(src, dim, idx)));
    expect(got.subarray(n * dim).every((v) => v === 0)).toBe(true);
  });
});

describe.each(['workgroup', 'software'] as const)('logprob (%s)', (variant) => {
  const cases: [number, number, number][] = [
    // positions, vocab, candidates
    [1, 1, 1],
    [3, 63, 2],
    [2, 256, 4],
    [4, 257, 1],
    [5, 1000, 3],
    [2, 4096, 8],
    [3, 32_001, 300],
    [2, 128_256, 4],
    [6, 4098, 5], // software: vocab % 4 != 0 takes the scalar loop
  ];
  it.each(cases)('%i positions over vocab %i with %i candidates', async (positions, vocab, candidates) => {
    const ctx = await testGpu();
    const logits = randomArray(positions * vocab, vocab + positions, 8);
    const targets = randomTargets(positions * candidates, vocab, vocab * 3 + candidates);
    const got = await logprob(variant, ctx, logits, vocab, targets, candidates, positions, positions);
    expectAllclose(got, logProbRef(logits, vocab, targets, candidates, positions), TOL, `logprob V=${vocab}`);
  });

  it('is stable for huge logits, sums to one over the vocabulary, and flags out-of-range targets', async () => {
    const ctx = await testGpu();
    const vocab = 300;
    const logits = randomArray(2 * vocab, 1, 5);
    for (let v = 0; v < vocab; v++) logits[vocab + v] += 1e4; // exp would overflow without the max shift
    logits[vocab + 123] = 1e4 + 50; // one dominant token
    const targets = new Uint32Array(2 * vocab);
    for (let p = 0; p < 2; p++) for (let v = 0; v < vocab; v++) targets[p * vocab + v] = v;
    const got = await logprob(variant, ctx, logits, vocab, targets, vocab, 3, 2);
    expect(got.every(Number.isFinite)).toBe(true);
    for (let p = 0; p < 2; p++) {
      const total = got.subarray(p * vocab, (p + 1) * vocab).reduce((a, lp) => a + Math.exp(lp), 0);
      expect(total).toBeCloseTo(1, 5);
    }
    expect(got[vocab + 123]).toBeCloseTo(0, 5);
    expectAllclose(got, logProbRef(logits, vocab, targets, vocab, 2), { atol: 2e-3, rtol: 1e-5 }, 'huge logits'); // inputs ~1e4 carry ~1e-3 ulp

    const bad = await logprob(variant, ctx, logits.subarray(0, vocab), vocab, Uint32Array.of(5, vocab), 2, 1, 1);
    expect(Number.isNaN(bad[1])).toBe(true);
    expect(bad[0]).toBeCloseTo(logProbRef(logits, vocab, [5], 1, 1)[0], 5);
  });
});

it('the logprob variant follows the adapter unless forced', async () => {
  const ctx = await testGpu();
  const k = new LogProbKernel(ctx, { logits: ctx.createStorage('l', 16, 'activations'), targets: ctx.createStorage('t', 16, 'activations'), out: ctx.createStorage('o', 16, 'activations'), vocab: 4, candidates: 1, maxPositions: 1 });
  expect(k.variant).toBe(ctx.adapter.isSoftware ? 'software' : 'workgroup');
});
