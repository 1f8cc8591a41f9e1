// Tolerance: exact. Copy moves bits and f32 addition is correctly rounded on both sides.
import { describe, expect, it } from 'vitest';
import { ElementwiseKernel } from '../../src/engine/gpu/kernels/elementwise';
import { addInplaceRef, copyRef } from '../../src/engine/cpu/elementwise';
import { randomArray } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';

const SIZES = [4, 252, 256, 260, 1028, 262_148];

describe('elementwise kernels', () => {
  it.each(SIZES)('copy of %i elements is exact', async (n) => {
    const ctx = await testGpu();
    const x = randomArray(n, n);
    const src = ctx.storageFrom('src', x, 'scratch');
    const dst = ctx.createStorage('dst', n * 4, 'scratch');
    const k = new ElementwiseKernel(ctx, 'copy', src, dst, n);
    ctx.submit((pass) => k.encode(pass));
    expect(Array.from(await ctx.readF32(dst))).toEqual(Array.from(copyRef(x)));
  });

  it.each(SIZES)('residual add of %i elements is exact', async (n) => {
    const ctx = await testGpu();
    const a = randomArray(n, 1 + n);
    const b = randomArray(n, 2 + n);
    const dst = ctx.storageFrom('dst', a, 'scratch');
    const src = ctx.storageFrom('src', b, 'scratch');
    const k = new ElementwiseKernel(ctx, 'add_inplace', src, dst, n);
    ctx.submit((pass) => k.encode(pass));
    expect(Array.from(await ctx.readF32(dst))).toEqual(Array.from(addInplaceRef(a.slice(), b)));
  });
});
