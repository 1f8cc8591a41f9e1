// Tolerance: atol 1e-4, rtol 1e-4 against matmulRef (float64 sums of the same f32 inputs).
// With x, w uniform in (-1, 1) and K <= 2080, the f32 rounding of a GPU sum (different order,
// FMA) is ~1e-6 relative to the sum of |products|, far below this; a wrong index or a lost
// group is off by ~0.1 or more. Quantized formats are compared against matmulRef on the
// DEQUANTIZED weights (dequantize()), f16 against the weights rounded to half: the kernel's
// own storage rounding is part of the reference, so any decoding error shows up in full.
import { describe, expect, it } from 'vitest';
import { MATVEC_MAX_ROWS, MatmulKernel, batchedVariantFor, type BatchedVariant, type MatvecShape } from '../../src/engine/gpu/kernels/matmul';
import { supportedFormats, uploadQuantized, uploadWeight } from '../../src/engine/gpu/weights';
import { weightBytes, type GpuWeight, type WeightFormat } from '../../src/engine/gpu/tensor';
import { dequantize, quantize } from '../../src/engine/defs/quantFormat';
import { matmulRef } from '../../src/engine/cpu/matmul';
import { f16ToF32, f32ToF16 } from '../../src/engine/defs/halfFloat';
import type { GpuContext } from '../../src/engine/gpu/context';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';

const TOL = { atol: 1e-4, rtol: 1e-4 };
const FORMATS: WeightFormat[] = ['f32', 'f16', 'q8', 'q4'];
const EDGES = [1, 63, 64, 65, 257]; // both sides of the 64-wide tile (and the 8 rows of a matvec workgroup)
const KS = [32, 64, 96, 192, 512];

/** The weights a kernel in `format` effectively multiplies by (storage rounding included). */
function effectiveWeights(w: Float32Array, rows: number, cols: number, format: WeightFormat): Float32Array {
  if (format === 'f32') return w;
  if (format === 'f16') return f16ToF32(f32ToF16(w));
  return dequantize(quantize(format, w, rows, cols));
}

interface Case {
  m: number;
  n: number;
  k: number;
  maxRows?: number;
  accumulate?: boolean;
  seed?: number;
  shape?: MatvecShape;
  variant?: BatchedVariant;
}

async function runCase(ctx: GpuContext, format: WeightFormat, c: Case): Promise<{ got: Float32Array; want: Float32Array; strategy: string; variant: string }> {
  const { m, n, k } = c;
  const maxRows = c.maxRows ?? m;
  const seed = (c.seed ?? 1) * 7919 + m * 131 + n * 17 + k;
  const x = randomArray(maxRows * k, seed);
  const wv = randomArray(n * k, seed + 1);
  const y0 = randomArray(maxRows * n, seed + 2);
  const w = uploadWeight(ctx, `w${n}x${k}`, wv, n, k, format, 'weights');
  const xb = ctx.storageFrom('x', x, 'activations');
  const yb = ctx.storageFrom('y', y0, 'activations');
  try {
    const kernel = new MatmulKernel(ctx, { x: xb, w, y: yb, maxRows, accumulate: c.accumulate, matvecShape: c.shape, variant: c.variant });
    kernel.setRows(m);
    ctx.submit((pass) => kernel.encode(pass));
    const got = await ctx.readF32(yb);
    const ref = matmulRef(x, effectiveWeights(wv, n, k, format), m, n, k);
    const want = y0.slice();
    for (let i = 0; i < m * n; i++) want[i] = c.accumulate ? Math.fround(y0[i] + ref[i]) : ref[i];
    return { got, want, strategy: kernel.strategy, variant: kernel.variant };
  } finally {
    for (const b of [xb, yb, w.data, w.scales]) if (b) ctx.release(b);
  }
}

describe('matmul kernels', () => {
  it('every format is supported and the shaders compile', async () => {
    const ctx = await testGpu();
    expect(supportedFormats(ctx)).toEqual(FORMATS);
    for (const format of FORMATS) {
      const { got, want } = await runCase(ctx, format, { m: 2, n: 3, k: 32 });
      expectAllclose(got, want, TOL, `${format} smoke`);
    }
    await ctx.pipelines.checkCompiled();
  });

  for (const format of FORMATS) {
    // Every (M, N) pair of the edge sizes, K cycling through KS so each K meets several shapes.
    const cases = EDGES.flatMap((m, i) => EDGES.map((n, j) => ({ m, n, k: KS[(i + 2 * j) % KS.length] })));
    it(`${format}: y = x w^T for M, N in {${EDGES}} and K in {${KS}}`, async () => {
      const ctx = await testGpu();
      for (const c of cases) {
        const { got, want } = await runCase(ctx, format, c);
        expectAllclose(got, want, TOL, `${format} M=${c.m} N=${c.n} K=${c.k}`);
      }
    });

    it(`${format}: matvec at M = 2..9 (switch to tiled above ${MATVEC_MAX_ROWS}) and long rows`, async () => {
      const ctx = await testGpu();
      for (const m of [2, 5, 8, 9]) {
        const { got, want, strategy } = await runCase(ctx, format, { m, n: 17, k: 96 });
        expect(strategy).toBe(m <= MATVEC_MAX_ROWS ? 'matvec' : 'tiled');
        expectAllclose(got, want, TOL, `${format} M=${m}`);
      }
      // K = 2080: 65 groups, more units per row than the 32 threads sharing it, for every format.
      for (const m of [1, 3, 70]) {
        const { got, want } = await runCase(ctx, format, { m, n: 9, k: 2080 });
        expectAllclose(got, want, TOL, `${format} M=${m} K=2080`);
      }
    });

    it(`${format}: every matrix-vector workgroup shape (GPU: 32 threads per row; CPU emulation: 1)`, async () => {
      const ctx = await testGpu();
      for (const shape of [{ workgroup: 256, team: 32 }, { workgroup: 64, team: 1 }, { workgroup: 64, team: 8 }]) {
        for (const [m, n, k] of [[1, 65, 2080], [3, 33, 96], [8, 63, 512]]) {
          const { got, want } = await runCase(ctx, format, { m, n, k, shape, accumulate: m === 3 });
          expectAllclose(got, want, TOL, `${format} matvec ${shape.workgroup}/${shape.team} M=${m} N=${n} K=${k}`);
        }
      }
    });

    // The batched kernel in both variants on the same inputs: 'tiled' (64 x 64 tiles, GPUs) and
    // 'software' (16 x 16 blocks per invocation, CPU emulation); sizes on both sides of 16 and 64.
    it(`${format}: batched variants tiled and software agree with the reference`, async () => {
      const ctx = await testGpu();
      const cases: Case[] = [
        { m: 9, n: 1, k: 32 }, { m: 15, n: 17, k: 96 }, { m: 16, n: 16, k: 64 }, { m: 17, n: 15, k: 192 },
        { m: 65, n: 63, k: 512 }, { m: 70, n: 9, k: 2080 }, { m: 33, n: 65, k: 96, accumulate: true },
        { m: 17, n: 33, k: 64, maxRows: 100 }, { m: 100, n: 33, k: 64, maxRows: 100, accumulate: true },
      ];
      for (const variant of ['tiled', 'software'] as const) {
        for (const c of cases) {
          const { got, want, strategy, variant: used } = await runCase(ctx, format, { ...c, variant });
          expect([strategy, used]).toEqual(['tiled', variant]);
          const label = `${format} ${variant} M=${c.m} N=${c.n} K=${c.k}${c.accumulate ? ' +=' : ''}`;
          expect(Array.from(got.subarray(c.m * c.n)), `${label}: rows past M untouched`).toEqual(Array.from(want.subarray(c.m * c.n)));
          expectAllclose(got, want, TOL, label);
        }
      }
      expect((await runCase(ctx, format, { m: 9, n: 4, k: 32 })).variant).toBe(batchedVariantFor(ctx));
    });

    it(`${format}: accumulate adds to y, and setRows below maxRows leaves the other rows alone`, async () => {
      const ctx = await testGpu();
      for (const m of [1, 7, 65]) {
        const { got, want } = await runCase(ctx, format, { m, n: 65, k: 64, maxRows: 80, accumulate: true });
        expectAllclose(got, want, TOL, `${format} accumulate M=${m}`);
      }
      for (const m of [1, 9, 63]) {
        const { got, want } = await runCase(ctx, format, { m, n: 33, k: 96, maxRows: 257 });
        // rows >= m must still hold y0 exactly
        expect(Array.from(got.subarray(m * 33))).toEqual(Array.from(want.subarray(m * 33)));
        expectAllclose(got, want, TOL, `${format} setRows(${m}) of 257`);
      }
    });
  }

  it('one kernel instance follows setRows across submits (tiled -> matvec -> tiled)', async () => {
    const ctx = await testGpu();
    const [n, k, maxRows] = [40, 64, 100];
    const x = randomArray(maxRows * k, 5);
    const wv = randomArray(n * k, 6);
    const w: GpuWeight = uploadWeight(ctx, 'w', wv, n, k, 'q4', 'weights');
    const xb = ctx.storageFrom('x', x, 'activations');
    const yb = ctx.createStorage('y', maxRows * n * 4, 'activations');
    const kernel = new MatmulKernel(ctx, { x: xb, w, y: yb, maxRows });
    const wq = dequantize(quantize('q4', wv, n, k));
    for (const m of [100, 3, 64]) {
      kernel.setRows(m);
      ctx.submit((pass) => kernel.encode(pass));
      const got = (await ctx.readF32(yb)).subarray(0, m * n);
      expectAllclose(got, matmulRef(x, wq, m, n, k), TOL, `setRows(${m})`);
    }
    expect(() => kernel.setRows(101)).toThrow();
    expect(() => kernel.setRows(0)).toThrow();
  });

  it('uploads occupy weightBytes() and keep the exact bits', async () => {
    const ctx = await testGpu();
    const [n, k] = [5, 64];
    const wv = randomArray(n * k, 9);
    for (const format of FORMATS) {
      const w = uploadWeight(ctx, format, wv, n, k, format, 'weights');
      expect(w.data.size + (w.scales?.size ?? 0)).toBe(weightBytes(format, n, k));
      if (format === 'f16') {
        const halves = new Uint16Array((await ctx.read(w.data)).slice(0));
        expect(Array.from(halves)).toEqual(Array.from(f32ToF16(wv)));
      }
      if (format === 'q8' || format === 'q4') {
        const q = quantize(format, wv, n, k);
        expect(Array.from(await ctx.readU32(w.data))).toEqual(Array.from(q.data));
        expect(Array.from(await ctx.readF32(w.scales!))).toEqual(Array.from(q.scales));
        const again = uploadQuantized(ctx, 'again', q, 'weights');
        expect(Array.from(await ctx.readU32(again.data))).toEqual(Array.from(q.data));
      }
    }
    expect(() => uploadWeight(ctx, 'odd', randomArray(40, 1), 1, 40, 'f32', 'weights')).toThrow(/multiple of 32/);
  });
});

describe('quantize() round trip (the format the kernels read)', () => {
  const [rows, cols] = [7, 96];
  const w = randomArray(rows * cols, 42, 3);
  w[5] = 0; // a zero, and one all-zero group (scale 0)
  for (let c = 32; c < 64; c++) w[2 * cols + c] = 0;

  it('q8: every value within scale/2 of its dequantization', () => {
    const q = quantize('q8', w, rows, cols);
    const d = dequantize(q);
    for (let i = 0; i < w.length; i++) {
      const s = q.scales[Math.floor(i / 32)];
      expect(Math.abs(d[i] - w[i])).toBeLessThanOrEqual(s / 2 + 1e-6 * Math.abs(w[i]));
    }
    expect(q.scales[2 * 3 + 1]).toBe(0);
  });

  it('q4: codes in 0..15, the group extreme exact, values within scale/2 (scale at the clamped end)', () => {
    const q = quantize('q4', w, rows, cols);
    const d = dequantize(q);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const word = q.data[r * (cols / 8) + (c >> 3)];
        const code = (word >>> (4 * (c & 7))) & 0xf;
        expect(code).toBeGreaterThanOrEqual(0);
        expect(code).toBeLessThanOrEqual(15);
        const s = Math.abs(q.scales[r * (cols / 32) + (c >> 5)]);
        const i = r * cols + c;
        expect(Math.abs(d[i] - w[i])).toBeLessThanOrEqual((code === 15 ? s : s / 2) + 1e-6 * Math.abs(w[i]));
      }
    }
    for (let g = 0; g < q.scales.length; g++) {
      let extreme = 0;
      for (let c = 0; c < 32; c++) if (Math.abs(w[g * 32 + c]) > Math.abs(extreme)) extreme = w[g * 32 + c];
      expect(Math.abs(Math.abs(q.scales[g] * 8) - Math.abs(extreme))).toBeLessThanOrEqual(1e-6 * Math.abs(extreme));
    }
  });
});
