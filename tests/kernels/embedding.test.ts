// Tolerance: exact. The gather moves bits (f32), widens halves exactly (f16), and for q8/q4
// computes code * scale, one correctly rounded f32 product on both sides of the comparison.
import { describe, expect, it } from 'vitest';
import { EmbeddingKernel } from '../../src/engine/gpu/kernels/embedding';
import { embeddingRef } from '../../src/engine/cpu/embedding';
import { dequantize, quantize, type QuantKind } from '../../src/engine/defs/quantFormat';
import { f16ToF32, f32ToF16 } from '../../src/engine/defs/halfFloat';
import type { GpuContext } from '../../src/engine/gpu/context';
import type { GpuWeight, WeightFormat } from '../../src/engine/gpu/tensor';
import { randomArray } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';

/** Upload a [vocab, hidden] table in `format`; returns it with the f32 values the GPU should see. */
function makeTable(ctx: GpuContext, format: WeightFormat, vocab: number, hidden: number, seed: number): { weight: GpuWeight; values: Float32Array } {
  const w = randomArray(vocab * hidden, seed, 0.5);
  const base = { format, rows: vocab, cols: hidden, name: `table-${format}` };
  if (format === 'f32') return { weight: { ...base, data: ctx.storageFrom('table', w, 'weights') }, values: w };
  if (format === 'f16') {
    const halves = new Uint16Array(vocab * hidden + ((vocab * hidden) % 2)); // whole u32 words
    halves.set(f32ToF16(w));
    return { weight: { ...base, data: ctx.storageFrom('table', halves, 'weights') }, values: f16ToF32(halves.subarray(0, vocab * hidden)) };
  }
  const q = quantize(format as QuantKind, w, vocab, hidden);
  return {
    weight: { ...base, data: ctx.storageFrom('codes', q.data, 'weights'), scales: ctx.storageFrom('scales', q.scales, 'weights') },
    values: dequantize(q),
  };
}

function randomIds(rows: number, vocab: number, seed: number): Uint32Array {
  const u = randomArray(rows, seed);
  const ids = Uint32Array.from(u, (x) => Math.floor(((x + 1) / 2) * vocab) % vocab);
  ids[0] = vocab - 1; // the last row of the table
  return ids;
}

async function gather(ctx: GpuContext, weight: GpuWeight, ids: Uint32Array, maxRows: number, rows: number): Promise<Float32Array> {
  const idBuf = ctx.storageFrom('ids', ids, 'activations');
  const out = ctx.createStorage('out', maxRows * weight.cols * 4, 'activations');
  const k = new EmbeddingKernel(ctx, { table: weight, ids: idBuf, out, maxRows });
  k.setRows(rows);
  ctx.submit((pass) => k.encode(pass));
  return ctx.readF32(out, rows * weight.cols);
}

describe('embedding gather', () => {
  const cases: [WeightFormat, number, number][] = [
    ['f32', 1, 1],
    ['f32', 63, 65],
    ['f32', 257, 96],
    ['f16', 1, 1],
    ['f16', 63, 63],
    ['f16', 65, 64],
    ['q8', 1, 32],
    ['q8', 64, 96],
    ['q8', 257, 192],
    ['q4', 1, 32],
    ['q4', 65, 96],
    ['q4', 257, 192],
  ];
  it.each(cases)('%s table, %i rows of width %i, matches the dequantized reference', async (format, rows, hidden) => {
    const ctx = await testGpu();
    const vocab = 37;
    const { weight, values } = makeTable(ctx, format, vocab, hidden, rows * 7 + hidden);
    const ids = randomIds(rows, vocab, rows + 11);
    const got = await gather(ctx, weight, ids, rows, rows);
    expect(Array.from(got)).toEqual(Array.from(embeddingRef(values, vocab, hidden, ids)));
    expect(got.some((v) => v !== 0)).toBe(true);
  });

  it('gathers fewer rows than it was built for, and zeros ids past the vocabulary', async () => {
    const ctx = await testGpu();
    const vocab = 50;
    const hidden = 64;
    const { weight, values } = makeTable(ctx, 'q8', vocab, hidden, 3);
    const ids = randomIds(130, vocab, 5);
    ids[7] = vocab; // out of range
    const got = await gather(ctx, weight, ids, 130, 100);
    const want = embeddingRef(values, vocab, hidden, ids, 100);
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(Array.from(got.subarray(7 * hidden, 8 * hidden)).every((v) => v === 0)).toBe(true);
  });
});
