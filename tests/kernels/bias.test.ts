// Tolerance: none. One f32 addition per element on both sides gives the same bits.
import { describe, expect, it } from 'vitest';
import { BiasKernel } from '../../src/engine/gpu/kernels/bias';
import { biasRef } from '../../src/engine/cpu/bias';
import { randomArray } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';

describe('bias add', () => {
  // rows x width on both sides of the 256-thread workgroup, and rows below what it was built for.
  const cases: [number, number, number][] = [
    [1, 1, 1],
    [1, 255, 1],
    [1, 256, 1],
    [1, 257, 2],
    [3, 64, 3],
    [5, 96, 9],
    [70, 40, 70],
    [2, 1000, 3],
  ];
  it.each(cases)('%i rows of width %i (built for %i rows)', async (rows, width, maxRows) => {
    const ctx = await testGpu();
    const y = randomArray(maxRows * width, rows * 7 + width, 3);
    const bias = randomArray(width, width + 1, 2);
    const buf = ctx.storageFrom('y', y, 'activations');
    const k = new BiasKernel(ctx, { y: buf, bias: ctx.storageFrom('bias', bias, 'weights'), width, maxRows });
    k.setRows(rows);
    ctx.submit((pass) => k.encode(pass));
    const got = await ctx.readF32(buf);
    const want = biasRef(y.slice(), bias, rows);
    expect(Array.from(got)).toEqual(Array.from(want));
    if (rows < maxRows) expect(Array.from(got.subarray(rows * width))).toEqual(Array.from(y.subarray(rows * width)));
    expect(() => k.setRows(maxRows + 1)).toThrow(/exceeds maxRows/);
  });
});
