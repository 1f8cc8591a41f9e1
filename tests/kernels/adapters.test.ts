// LoRA, sparse correction and calibration-norm kernels against their CPU references.
// Tolerance: atol 1e-5, rtol 1e-4 (f32 dot products summed in the same order on both sides,
// but WGSL may fuse multiply-adds).
import { describe, it } from 'vitest';
import { LoraKernel } from '../../src/engine/gpu/kernels/lora';
import { SparseDeltaKernel } from '../../src/engine/gpu/kernels/sparseDelta';
import { ColumnNormsKernel } from '../../src/engine/gpu/kernels/columnNorms';
import { columnSumsqRef, loraRef, sparseDeltaRef } from '../../src/engine/cpu/adapters';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';

const TOL = { atol: 1e-5, rtol: 1e-4 };

describe('LoRA kernel', () => {
  it.each([
    [1, 32, 1, 1],
    [63, 64, 65, 4],
    [65, 96, 63, 8],
    [7, 192, 257, 16],
  ])('rows %i, in %i, out %i, rank %i', async (rows, inDim, outDim, rank) => {
    const ctx = await testGpu();
    const x = randomArray(rows * inDim, 1 + rows);
    const a = randomArray(rank * inDim, 2 + rank, 0.3);
    const b = randomArray(outDim * rank, 3 + outDim, 0.3);
    const y0 = randomArray(rows * outDim, 4);
    const y = ctx.storageFrom('y', y0, 'scratch');
    const k = new LoraKernel(ctx, {
      x: ctx.storageFrom('x', x, 'scratch'), y, a: ctx.storageFrom('a', a, 'scratch'), b: ctx.storageFrom('b', b, 'scratch'),
      inDim, outDim, rank, scale: 2 / rank, maxRows: rows + 3,
    });
    k.setRows(rows);
    ctx.submit((pass) => k.encode(pass));
    expectAllclose(await ctx.readF32(y, rows * outDim), loraRef(x, a, b, y0, rows, inDim, outDim, rank, 2 / rank), TOL, 'y');
  });
});

describe('sparse correction kernel', () => {
  it.each([
    [1, 32, 1, 0.5],
    [64, 64, 65, 0.01],
    [65, 192, 257, 0.001],
    [3, 96, 63, 0],
  ])('rows %i, in %i, out %i, density %f', async (rows, inDim, outDim, density) => {
    const ctx = await testGpu();
    const pick = randomArray(inDim * outDim, 9);
    const rowStart = new Uint32Array(outDim + 1);
    const cols: number[] = [];
    for (let n = 0; n < outDim; n++) {
      for (let c = 0; c < inDim; c++) if ((pick[n * inDim + c] + 1) / 2 < density) cols.push(c);
      rowStart[n + 1] = cols.length;
    }
    const nnz = Math.max(cols.length, 1);
    const col = Uint32Array.from(cols.length ? cols : [0]);
    const base = randomArray(nnz, 10);
    const value = randomArray(nnz, 11);
    const x = randomArray(rows * inDim, 12);
    const y0 = randomArray(rows * outDim, 13);
    const y = ctx.storageFrom('y', y0, 'scratch');
    const k = new SparseDeltaKernel(ctx, {
      x: ctx.storageFrom('x', x, 'scratch'), y,
      rowStart: ctx.storageFrom('rs', rowStart, 'scratch'), col: ctx.storageFrom('col', col, 'scratch'),
      base: ctx.storageFrom('base', base, 'scratch'), value: ctx.storageFrom('value', value, 'scratch'),
      inDim, outDim, maxRows: rows,
    });
    ctx.submit((pass) => k.encode(pass));
    const want = sparseDeltaRef(x, { rowStart, col }, base, value, y0, rows, inDim, outDim);
    expectAllclose(await ctx.readF32(y, rows * outDim), want, TOL, 'y');
  });
});

describe('calibration column norms', () => {
  it.each([
    [1, 1],
    [63, 65],
    [257, 64],
  ])('rows %i, in %i, accumulated over two calls', async (rows, inDim) => {
    const ctx = await testGpu();
    const x = randomArray(rows * inDim, rows + inDim);
    const k = new ColumnNormsKernel(ctx, ctx.storageFrom('x', x, 'scratch'), inDim, rows);
    ctx.submit((pass) => k.encode(pass));
    ctx.submit((pass) => k.encode(pass));
    const once = columnSumsqRef(x, rows, inDim);
    expectAllclose(await ctx.readF32(k.sumsq), once.map((v) => 2 * v), TOL, 'sumsq');
  });
});
