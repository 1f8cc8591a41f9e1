// Matmul (matrix-vector and batched, both variants, split K) and the embedding gather over
// weights kept in a GGUF block format: q4k, q5k, q6k (256-weight super-blocks), bf16, and the
// 32-weight blocks q4_1, q5_0, q5_1.
// Tolerance: atol 1e-4, rtol 1e-4 against matmulRef on the CPU twin's decoding
// (decodeBlocks), as in matmul.test.ts: the GPU decodes each weight with the same single
// rounding as the twin, so only the f32 summation order differs (~1e-6 relative to the sum of
// |products| here); a wrong bit position, scale index or block offset is off by 1e-2 or more.
// The embedding gather is exact (the same decoded f32 on both sides). Weights are random bytes
// (randomBlocks.ts), so every field of the layout takes all its values.
import { describe, expect, it } from 'vitest';
import { MATVEC_MAX_ROWS, MatmulKernel, type BatchedVariant, type MatvecShape } from '../../src/engine/gpu/kernels/matmul';
import { EmbeddingKernel } from '../../src/engine/gpu/kernels/embedding';
import { uploadBlocks } from '../../src/engine/gpu/weights';
import { weightBytes } from '../../src/engine/gpu/tensor';
import { BLOCK_FORMATS, BLOCK_LAYOUT, dequantizeBlocks, type BlockFormat } from '../../src/engine/defs/blockFormats';
import { matmulRef } from '../../src/engine/cpu/matmul';
import { embeddingRef } from '../../src/engine/cpu/embedding';
import type { GpuContext } from '../../src/engine/gpu/context';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { randomBlockMatrix } from '../helpers/randomBlocks';
import { testGpu } from '../helpers/gpu';

const TOL = { atol: 1e-4, rtol: 1e-4 };
/**
 * K-quants: one super-block, two, and nine (more 32-weight groups than the 32 threads sharing a
 * row). 32-weight formats (bf16, q4_1, q5_0, q5_1): one group, 9 (not whole super-blocks), 65.
 */
const ksFor = (f: BlockFormat) => (BLOCK_LAYOUT[f].elems === 256 ? [256, 512, 2304] : [32, 288, 2080]);
const MS = [1, 8, 9, 65]; // both sides of the matvec/batched switch (8) and of the 16 / 64 blocks
const NS = [1, 9, 65]; // one row, and both sides of the 8 rows of a GPU matvec workgroup and of 64

interface Case {
  m: number;
  n: number;
  k: number;
  maxRows?: number;
  accumulate?: boolean;
  shape?: MatvecShape;
  variant?: BatchedVariant;
  splitTarget?: number;
}

async function runCase(ctx: GpuContext, format: BlockFormat, c: Case) {
  const { m, n, k } = c;
  const maxRows = c.maxRows ?? m;
  const seed = m * 131 + n * 17 + k + format.length;
  const x = randomArray(maxRows * k, seed);
  const y0 = randomArray(maxRows * n, seed + 1);
  const blocks = randomBlockMatrix(format, n, k, seed + 2);
  const w = uploadBlocks(ctx, `w${n}x${k}`, blocks, 'weights');
  const xb = ctx.storageFrom('x', x, 'activations');
  const yb = ctx.storageFrom('y', y0, 'activations');
  try {
    const kernel = new MatmulKernel(ctx, { x: xb, w, y: yb, maxRows, accumulate: c.accumulate, matvecShape: c.shape, variant: c.variant, splitTarget: c.splitTarget });
    kernel.setRows(m);
    ctx.submit((pass) => kernel.encode(pass));
    const got = await ctx.readF32(yb);
    const ref = matmulRef(x, dequantizeBlocks(blocks), m, n, k);
    const want = y0.slice();
    for (let i = 0; i < m * n; i++) want[i] = c.accumulate ? Math.fround(y0[i] + ref[i]) : ref[i];
    return { got, want, strategy: kernel.strategy, variant: kernel.variant, splitK: kernel.splitK };
  } finally {
    for (const b of [xb, yb, w.data]) ctx.release(b);
  }
}

const label = (f: BlockFormat, c: Case) => `${f} M=${c.m} N=${c.n} K=${c.k}${c.accumulate ? ' +=' : ''}${c.variant ? ` ${c.variant}` : ''}${c.shape ? ` ${c.shape.workgroup}/${c.shape.team}` : ''}`;

describe('matmul over block formats', () => {
  for (const format of BLOCK_FORMATS) {
    const KS = ksFor(format);
    const [k1, k2, kLong] = KS;
    it(`${format}: y = x w^T for M in {${MS}}, N in {${NS}} and K in {${KS}}, default kernels`, async () => {
      const ctx = await testGpu();
      for (const [i, m] of MS.entries()) {
        for (const [j, n] of NS.entries()) {
          const c = { m, n, k: KS[(i + 2 * j) % KS.length] };
          const { got, want, strategy } = await runCase(ctx, format, c);
          expect(strategy).toBe(m <= MATVEC_MAX_ROWS ? 'matvec' : 'tiled');
          expectAllclose(got, want, TOL, label(format, c));
        }
      }
    });

    it(`${format}: every matrix-vector workgroup shape (GPU: 32 threads per row; CPU emulation: 1)`, async () => {
      const ctx = await testGpu();
      for (const shape of [{ workgroup: 256, team: 32 }, { workgroup: 64, team: 1 }]) {
        for (const [m, n, k] of [[1, 65, kLong], [3, 9, k2]]) {
          const c = { m, n, k, shape, accumulate: m === 3 };
          const { got, want } = await runCase(ctx, format, c);
          expectAllclose(got, want, TOL, label(format, c));
        }
      }
    });

    it(`${format}: batched variants tiled and software, split K, rows past M untouched`, async () => {
      const ctx = await testGpu();
      const cases: Case[] = [
        { m: 9, n: 1, k: k1 }, { m: 17, n: 15, k: k2 }, { m: 65, n: 17, k: k1 },
        { m: 15, n: 9, k: kLong, accumulate: true }, { m: 17, n: 33, k: k1, maxRows: 70 },
      ];
      for (const variant of ['tiled', 'software'] as const) {
        for (const c of cases) {
          const { got, want, strategy, variant: used } = await runCase(ctx, format, { ...c, variant });
          expect([strategy, used]).toEqual(['tiled', variant]);
          expect(Array.from(got.subarray(c.m * c.n)), `${label(format, c)}: rows past M`).toEqual(Array.from(want.subarray(c.m * c.n)));
          expectAllclose(got, want, TOL, label(format, { ...c, variant }));
        }
      }
      // K split into slices of whole 32-weight groups (a slice boundary inside a super-block).
      const c = { m: 12, n: 20, k: kLong, variant: 'tiled' as const, splitTarget: 16 };
      const { got, want, splitK } = await runCase(ctx, format, c);
      expect(splitK).toBeGreaterThan(1);
      expectAllclose(got, want, TOL, `${label(format, c)} split ${splitK}`);
    });

    it(`${format}: the embedding gather decodes rows exactly`, async () => {
      const ctx = await testGpu();
      for (const [vocab, hidden, rows] of [[5, k1, 7], [33, k2, 65]]) {
        const table = randomBlockMatrix(format, vocab, hidden, vocab + hidden);
        const weight = uploadBlocks(ctx, 'table', table, 'weights');
        const ids = Uint32Array.from(randomArray(rows, rows), (v) => Math.floor((v + 1) * vocab / 2) % vocab);
        ids[0] = vocab - 1;
        ids[1] = vocab + 3; // out of range: a row of zeros
        const idBuf = ctx.storageFrom('ids', ids, 'activations');
        const out = ctx.createStorage('out', rows * hidden * 4, 'activations');
        const k = new EmbeddingKernel(ctx, { table: weight, ids: idBuf, out, maxRows: rows });
        ctx.submit((pass) => k.encode(pass));
        const got = await ctx.readF32(out);
        const want = embeddingRef(dequantizeBlocks(table), vocab, hidden, ids);
        expect(Array.from(got), `${format} embedding ${vocab}x${hidden}`).toEqual(Array.from(want));
        for (const b of [weight.data, idBuf, out]) ctx.release(b);
      }
    });
  }

  it('uploads keep the file bytes (padded to words) and refuse rows that are not whole blocks', async () => {
    const ctx = await testGpu();
    for (const format of BLOCK_FORMATS) {
      const m = randomBlockMatrix(format, 3, 256, 4);
      const w = uploadBlocks(ctx, format, m, 'weights');
      expect(w.data.size).toBe(weightBytes(format, 3, 256));
      const back = new Uint8Array(await ctx.read(w.data));
      expect(Array.from(back.subarray(0, m.bytes.length))).toEqual(Array.from(m.bytes));
      ctx.release(w.data);
    }
    // Q6_K's 210-byte blocks: 3 of them are 630 bytes, padded to 632.
    expect(weightBytes('q6k', 3, 256)).toBe(632);
    for (const format of ['q4k', 'q5k', 'q6k'] as const) {
      expect(() => uploadBlocks(ctx, 'odd', { format, rows: 2, cols: 288, bytes: new Uint8Array(0) }, 'weights')).toThrow(/288 columns is not a multiple of 256/);
    }
    for (const format of ['bf16', 'q4_1', 'q5_0', 'q5_1'] as const) {
      expect(() => uploadBlocks(ctx, 'odd', { format, rows: 1, cols: 48, bytes: new Uint8Array(0) }, 'weights')).toThrow(/48 columns is not a multiple of 32/);
    }
  });
});
