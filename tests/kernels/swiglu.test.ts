// Tolerance: 1e-6 relative (+1e-7 absolute), elementwise. One exp, one division and one product
// per element: the only difference from the reference is the GPU exp's few-ulp error.
import { describe, expect, it } from 'vitest';
import { SwigluKernel } from '../../src/engine/gpu/kernels/swiglu';
import { swigluRef } from '../../src/engine/cpu/swiglu';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';

const TOL = { atol: 1e-7, rtol: 1e-6 };

describe('swiglu', () => {
  const cases: [number, number][] = [
    [1, 1],
    [1, 63],
    [4, 64],
    [1, 65],
    [3, 255],
    [2, 256],
    [5, 257],
    [17, 512],
    [3, 70_001],
  ];
  it.each(cases)('%i rows of width %i match the reference (separate output)', async (rows, width) => {
    const ctx = await testGpu();
    const gate = randomArray(rows * width, rows + width, 6);
    const up = randomArray(rows * width, rows + width + 1, 2);
    const g = ctx.storageFrom('gate', gate, 'activations');
    const u = ctx.storageFrom('up', up, 'activations');
    const out = ctx.createStorage('out', rows * width * 4, 'activations');
    const k = new SwigluKernel(ctx, { gate: g, up: u, out, width, maxRows: rows });
    ctx.submit((pass) => k.encode(pass));
    expectAllclose(await ctx.readF32(out), swigluRef(gate, up), TOL, 'swiglu');
    expectAllclose(await ctx.readF32(g), gate, { atol: 0, rtol: 0 }, 'gate untouched');
  });

  it.each([[1, 63], [4, 257], [9, 100]])('in place into gate, %i of %i rows', async (rows, maxRows) => {
    const ctx = await testGpu();
    const width = 96;
    const gate = randomArray(maxRows * width, maxRows, 20); // large |g|: exp over/underflow paths
    const up = randomArray(maxRows * width, maxRows + 1);
    const g = ctx.storageFrom('gate', gate, 'activations');
    const u = ctx.storageFrom('up', up, 'activations');
    const k = new SwigluKernel(ctx, { gate: g, up: u, out: g, width, maxRows });
    k.setRows(rows);
    ctx.submit((pass) => k.encode(pass));
    const got = await ctx.readF32(g);
    expectAllclose(got.subarray(0, rows * width), swigluRef(gate, up, rows * width), TOL, 'swiglu in place');
    expect(Array.from(got.subarray(rows * width))).toEqual(Array.from(gate.subarray(rows * width)));
  });
});
