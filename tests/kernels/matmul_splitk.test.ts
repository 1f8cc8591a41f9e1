// Tolerance: atol 1e-4, rtol 1e-4 against matmulRef (float64 sums of the same f32 inputs), as in
// matmul.test.ts. Splitting K changes only the order of the f32 additions (slice sums, then the
// slices in order), ~1e-6 relative to the sum of |products| for x, w in (-1, 1) and K <= 1056, so
// split and unsplit results are close, not bit-equal; a slice read twice or skipped, or a slice
// boundary off by one step, is off by ~0.1 or more. Quantized and f16 weights are compared on
// their effective (dequantized / half-rounded) values, so group and scale boundaries show in full.
// Every case asserts the split count the kernel chose, so no case passes by never splitting.
// The tiled variant is forced (CPU emulation would pick 'software', which never splits); sizes
// stay small because SwiftShader runs the tiled kernel at well under a GFLOP/s.
import { describe, expect, it } from 'vitest';
import {
  MATVEC_MAX_ROWS,
  MAX_SPLIT,
  MIN_SLICE_STEPS,
  MatmulKernel,
  SPLIT_SCRATCH_BYTES,
  SPLIT_TARGET_WORKGROUPS,
  splitKFor,
} from '../../src/engine/gpu/kernels/matmul';
import { uploadWeight } from '../../src/engine/gpu/weights';
import type { GpuWeight, WeightFormat } from '../../src/engine/gpu/tensor';
import { dequantize, quantize } from '../../src/engine/defs/quantFormat';
import { matmulRef } from '../../src/engine/cpu/matmul';
import { f16ToF32, f32ToF16 } from '../../src/engine/defs/halfFloat';
import type { GpuContext } from '../../src/engine/gpu/context';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';
import type { DeviceBuffer } from '../../src/engine/gpu/device';

const TOL = { atol: 1e-4, rtol: 1e-4 };
const FORMATS: WeightFormat[] = ['f32', 'f16', 'q8', 'q4'];

function effectiveWeights(w: Float32Array, rows: number, cols: number, format: WeightFormat): Float32Array {
  if (format === 'f32') return w;
  if (format === 'f16') return f16ToF32(f32ToF16(w));
  return dequantize(quantize(format, w, rows, cols));
}

/** One weight, x and y on the GPU, and a way to run a tiled kernel over them at any M. */
class Fixture {
  readonly x: Float32Array;
  readonly wEff: Float32Array;
  readonly y0: Float32Array;
  private readonly buffers: DeviceBuffer[];
  private readonly xb: GPUBuffer;
  private readonly yb: GPUBuffer;
  private readonly w: GpuWeight;

  constructor(
    private readonly ctx: GpuContext,
    format: WeightFormat,
    readonly n: number,
    readonly k: number,
    readonly maxRows: number,
    seed: number,
  ) {
    this.x = randomArray(maxRows * k, seed);
    const wv = randomArray(n * k, seed + 1);
    this.y0 = randomArray(maxRows * n, seed + 2);
    this.w = uploadWeight(ctx, `w${n}x${k}`, wv, n, k, format, 'weights');
    this.wEff = effectiveWeights(wv, n, k, format);
    this.xb = ctx.storageFrom('x', this.x, 'activations');
    this.yb = ctx.storageFrom('y', this.y0, 'activations');
    this.buffers = [this.xb, this.yb, this.w.data, ...(this.w.scales ? [this.w.scales] : [])];
  }

  kernel(accumulate: boolean, splitTarget?: number): MatmulKernel {
    return new MatmulKernel(this.ctx, { x: this.xb, w: this.w, y: this.yb, maxRows: this.maxRows, accumulate, variant: 'tiled', splitTarget });
  }

  /** y after one dispatch at M = m, starting from y0. */
  async run(kernel: MatmulKernel, m: number): Promise<Float32Array> {
    this.ctx.upload(this.yb, this.y0);
    kernel.setRows(m);
    this.ctx.submit((pass) => kernel.encode(pass));
    return this.ctx.readF32(this.yb);
  }

  want(m: number, accumulate: boolean): Float32Array {
    const ref = matmulRef(this.x, this.wEff, m, this.n, this.k);
    const out = this.y0.slice();
    for (let i = 0; i < m * this.n; i++) out[i] = accumulate ? Math.fround(this.y0[i] + ref[i]) : ref[i];
    return out;
  }

  release(): void {
    for (const b of this.buffers) this.ctx.release(b);
  }
}

describe('split-K rule (splitKFor)', () => {
  it('splits the 0.7B Llama projections at a 32-token prefill, and a grid past the target not at all', () => {
    // hidden 2048, MLP 5632: q/o 2048x2048, gate/up 5632x2048, down 2048x5632
    expect(splitKFor(32, 2048, 2048)).toEqual({ splits: 16, sliceSteps: 4 }); // 32 tiles, 64 steps
    expect(splitKFor(32, 5632, 2048)).toEqual({ splits: 11, sliceSteps: 6 }); // 88 tiles
    expect(splitKFor(32, 2048, 5632)).toEqual({ splits: 16, sliceSteps: 11 }); // 176 steps
    expect(splitKFor(512, 2048, 2048)).toEqual({ splits: 4, sliceSteps: 16 }); // 256 tiles
    expect(splitKFor(512, 5632, 2048).splits).toBe(1); // 704 tiles: already a full grid
    // 512 tiles, the bench's large shape: half the target, so 2 slices (measured on an H100: 0.666 ms against 0.680 unsplit)
    expect(splitKFor(512, 4096, 4096)).toEqual({ splits: 2, sliceSteps: 64 });
    expect(splitKFor(32, 2048, 224).splits).toBe(1); // 7 steps: too few for two slices of 4
  });

  it('keeps every slice non-empty and at least MIN_SLICE_STEPS long, S <= MAX_SPLIT, and S x tiles <= the target', () => {
    for (const m of [9, 33, 64, 65, 200, 1000, 4096]) {
      for (const n of [1, 64, 100, 2048, 5632, 32000]) {
        for (const k of [32, 128, 256, 288, 1056, 2048, 5632, 14336]) {
          const steps = k / 32;
          const { splits, sliceSteps } = splitKFor(m, n, k);
          const tiles = Math.ceil(m / 64) * Math.ceil(n / 64);
          const at = `M=${m} N=${n} K=${k}`;
          expect(splits, at).toBeGreaterThanOrEqual(1);
          expect(splits, at).toBeLessThanOrEqual(MAX_SPLIT);
          expect(splits * tiles, at).toBeLessThanOrEqual(Math.max(tiles, SPLIT_TARGET_WORKGROUPS));
          expect(splits * m * n * 4, at).toBeLessThanOrEqual(Math.max(m * n * 4, SPLIT_SCRATCH_BYTES));
          if (splits === 1) {
            expect(sliceSteps, at).toBe(steps);
          } else {
            expect(sliceSteps, at).toBeGreaterThanOrEqual(MIN_SLICE_STEPS);
            expect((splits - 1) * sliceSteps, at).toBeLessThan(steps); // last slice non-empty
            expect(splits * sliceSteps, at).toBeGreaterThanOrEqual(steps); // every step covered
          }
        }
      }
    }
  });
});

describe('split-K tiled matmul', () => {
  // M, N on both sides of the 64-wide tile; K with slices of equal length (512: 4 x 4 steps),
  // a shorter last slice (1056: 33 steps as 7 slices of 5, the last 3), and too short to split.
  const CASES = [
    { m: 9, n: 33, k: 256, splits: 2 },
    { m: 64, n: 1, k: 512, splits: 4 },
    { m: 70, n: 65, k: 1056, splits: 7 },
    { m: 130, n: 65, k: 512, splits: 4 },
    { m: 17, n: 40, k: 224, splits: 1 },
  ];

  for (const format of FORMATS) {
    it(`${format}: split and unsplit shapes agree with the reference, = and +=, rows past M untouched`, async () => {
      const ctx = await testGpu();
      for (const [i, c] of CASES.entries()) {
        const fx = new Fixture(ctx, format, c.n, c.k, c.m + 7, 100 + i);
        try {
          for (const accumulate of [false, true]) {
            const kernel = fx.kernel(accumulate);
            const got = await fx.run(kernel, c.m);
            const label = `${format} M=${c.m} N=${c.n} K=${c.k}${accumulate ? ' +=' : ''}`;
            expect([kernel.strategy, kernel.splitK], label).toEqual(['tiled', c.splits]);
            expect(Array.from(got.subarray(c.m * c.n)), `${label}: rows past M untouched`).toEqual(Array.from(fx.y0.subarray(c.m * c.n)));
            expectAllclose(got, fx.want(c.m, accumulate), TOL, label);
          }
        } finally {
          fx.release();
        }
      }
    });

    // splitTarget 8 puts the unsplit regime at 2 x 4 tiles, a size SwiftShader runs quickly:
    // N = 65 (2 tiles), K = 512 (16 steps, at most 4 slices of 4).
    it(`${format}: setRows moves one kernel between split, unsplit and matvec shapes`, async () => {
      const ctx = await testGpu();
      const fx = new Fixture(ctx, format, 65, 512, 200, 7);
      try {
        for (const accumulate of [false, true]) {
          const kernel = fx.kernel(accumulate, 8);
          const plan: [number, number][] = [[40, 4], [200, 1], [100, 2], [5, 1], [64, 4], [129, 1], [40, 4]];
          for (const [m, splits] of plan) {
            const got = await fx.run(kernel, m);
            const label = `${format} setRows(${m})${accumulate ? ' +=' : ''}`;
            expect([kernel.strategy, kernel.splitK], label).toEqual([m <= MATVEC_MAX_ROWS ? 'matvec' : 'tiled', splits]);
            expect(Array.from(got.subarray(m * fx.n)), `${label}: rows past M untouched`).toEqual(Array.from(fx.y0.subarray(m * fx.n)));
            expectAllclose(got, fx.want(m, accumulate), TOL, label);
          }
        }
      } finally {
        fx.release();
      }
    });
  }

  it('split results are close to, not necessarily equal to, the unsplit kernel on the same inputs', async () => {
    const ctx = await testGpu();
    const fx = new Fixture(ctx, 'f32', 65, 1056, 70, 11);
    try {
      const split = fx.kernel(false);
      const unsplit = fx.kernel(false, 1);
      const a = await fx.run(split, 70);
      const b = await fx.run(unsplit, 70);
      expect([split.splitK, unsplit.splitK]).toEqual([7, 1]);
      expectAllclose(a, b, TOL, 'split vs unsplit');
    } finally {
      fx.release();
    }
  });

  it('every splitting kernel of a context shares one scratch, counted in the ledger once', async () => {
    const ctx = await testGpu();
    const fx = new Fixture(ctx, 'q4', 33, 256, 16, 3);
    try {
      fx.kernel(false); // makes the scratch if no earlier test did
      const before = ctx.ledger.snapshot().current.scratch;
      expect(before).toBeGreaterThanOrEqual(SPLIT_SCRATCH_BYTES);
      const again = [fx.kernel(true), fx.kernel(false)];
      expect(again.map((k) => k.splitK)).toEqual([2, 2]);
      // Each new kernel adds only its parameter uniform.
      expect(ctx.ledger.snapshot().current.scratch - before).toBeLessThan(1024);
    } finally {
      fx.release();
    }
  });
});
