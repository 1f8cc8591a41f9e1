// Tolerance: 1e-5 relative (+1e-6 absolute). The GPU sums squares in a different order (strided
// partial sums, then a tree; or one row-long loop in the software variant) and inverseSqrt may
// be a few ulps off; both stay near 1e-6. Every case runs on both variants, whatever the adapter.
import { describe, expect, it } from 'vitest';
import { RmsNormKernel, type KernelVariant } from '../../src/engine/gpu/kernels/rmsnorm';
import { rmsnormRef } from '../../src/engine/cpu/rmsnorm';
import type { GpuContext } from '../../src/engine/gpu/context';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';

const TOL = { atol: 1e-6, rtol: 1e-5 };

async function run(variant: KernelVariant, ctx: GpuContext, x: Float32Array, w: Float32Array, dim: number, eps: number, maxRows: number, rows: number): Promise<Float32Array> {
  const xb = ctx.storageFrom('x', x, 'activations');
  const wb = ctx.storageFrom('w', w, 'weights');
  const yb = ctx.createStorage('y', maxRows * dim * 4, 'activations');
  const k = new RmsNormKernel(ctx, { x: xb, weight: wb, y: yb, dim, eps, maxRows, variant });
  expect(k.variant).toBe(variant);
  k.setRows(rows);
  ctx.submit((pass) => k.encode(pass));
  return ctx.readF32(yb, rows * dim);
}

describe.each(['workgroup', 'software'] as const)('rmsnorm (%s)', (variant) => {
  const cases: [number, number][] = [
    [1, 1],
    [3, 63],
    [2, 64],
    [5, 65],
    [4, 255],
    [3, 256],
    [7, 257],
    [2, 513],
    [33, 192],
    [2, 4099],
  ];
  it.each(cases)('%i rows of dim %i match the reference', async (rows, dim) => {
    const ctx = await testGpu();
    const x = randomArray(rows * dim, rows * 1000 + dim, 3);
    const w = randomArray(dim, dim + 1);
    const got = await run(variant, ctx, x, w, dim, 1e-5, rows, rows);
    expectAllclose(got, rmsnormRef(x, w, rows, dim, 1e-5), TOL, `rmsnorm ${rows}x${dim}`);
  });

  it('eps matters for small rows, and only the rows asked for are written', async () => {
    const ctx = await testGpu();
    const dim = 96;
    const x = randomArray(10 * dim, 9, 1e-3);
    const w = randomArray(dim, 10);
    const got = await run(variant, ctx, x, w, dim, 1e-2, 10, 6);
    const want = rmsnormRef(x, w, 6, dim, 1e-2);
    expectAllclose(got, want, TOL, 'rmsnorm eps');
    // with eps 1e-2 and |x| ~ 1e-3 the normalized values are far from unit scale
    expect(Math.max(...Array.from(want).map(Math.abs))).toBeLessThan(0.05);
  });
});

it('the variant follows the adapter unless forced', async () => {
  const ctx = await testGpu();
  const dim = 8;
  const k = new RmsNormKernel(ctx, { x: ctx.createStorage('x', 4 * dim, 'activations'), weight: ctx.createStorage('w', 4 * dim, 'weights'), y: ctx.createStorage('y', 4 * dim, 'activations'), dim, eps: 1e-5, maxRows: 1 });
  expect(k.variant).toBe(ctx.adapter.isSoftware ? 'software' : 'workgroup');
});
