// Tolerance: 1e-4 relative + 1e-5 absolute. The GPU accumulates the online softmax in f32 in
// tile order (rescaling by exp(m - m') per tile) while the reference sums in f64 in one go;
// outputs are convex combinations of v in [-1, 1], so 1e-5 absolute covers values near zero.
// Every GPU case runs on both variants (tiled 'workgroup', barrier-free 'software'), whatever the
// adapter.
import { describe, expect, it } from 'vitest';
import { AttentionKernel, attentionTiling, rowwiseChunk } from '../../src/engine/gpu/kernels/attention';
import { attentionRef } from '../../src/engine/cpu/attention';
import type { GpuContext } from '../../src/engine/gpu/context';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';

const TOL = { atol: 1e-5, rtol: 1e-4 };

interface Shape {
  heads: number;
  kvHeads: number;
  headDim: number;
  maxBatch: number;
  maxSeqLen: number;
  window?: number;
  variant?: 'workgroup' | 'software';
}

function build(ctx: GpuContext, s: Shape, q: Float32Array, k: Float32Array, v: Float32Array) {
  const rows = s.maxBatch * s.maxSeqLen;
  const pad = (x: Float32Array, width: number) => {
    const full = new Float32Array(rows * width * s.headDim);
    full.set(x);
    return full;
  };
  const out = ctx.createStorage('attn-out', rows * s.heads * s.headDim * 4, 'activations');
  const kernel = new AttentionKernel(ctx, {
    q: ctx.storageFrom('q', pad(q, s.heads), 'activations'),
    k: ctx.storageFrom('k', pad(k, s.kvHeads), 'activations'),
    v: ctx.storageFrom('v', pad(v, s.kvHeads), 'activations'),
    out,
    ...s,
  });
  if (s.variant) expect(kernel.variant).toBe(s.variant);
  return { kernel, out };
}

async function attend(ctx: GpuContext, s: Shape, batch: number, seqLen: number, q: Float32Array, k: Float32Array, v: Float32Array): Promise<Float32Array> {
  const { kernel, out } = build(ctx, s, q, k, v);
  kernel.setShape(batch, seqLen);
  ctx.submit((pass) => kernel.encode(pass));
  return ctx.readF32(out, batch * seqLen * s.heads * s.headDim);
}

function inputs(batch: number, seqLen: number, heads: number, kvHeads: number, headDim: number, seed: number, qScale = 1) {
  const rows = batch * seqLen;
  return {
    q: randomArray(rows * heads * headDim, seed, qScale),
    k: randomArray(rows * kvHeads * headDim, seed + 1),
    v: randomArray(rows * kvHeads * headDim, seed + 2),
  };
}

describe.each(['workgroup', 'software'] as const)('attention (%s)', (variant) => {
  const cases: [number, number, number, number, number][] = [
    // batch, seqLen, heads, kvHeads, headDim
    [1, 1, 1, 1, 4],
    [1, 63, 3, 1, 32], // GQA 3
    [2, 64, 4, 1, 64], // GQA 4
    [3, 65, 6, 2, 32], // the demo model's heads
    [1, 257, 2, 2, 32], // GQA 1, many key tiles
    [2, 33, 8, 2, 128], // Llama-sized heads, GQA 4
    [2, 130, 1, 1, 4], // 64 queries per workgroup
    // software only: two column chunks per (query, head); the tiled kernel at 256 compiles slowly
    ...(variant === 'software' ? [[1, 20, 2, 1, 256] as [number, number, number, number, number]] : []),
  ];
  it.each(cases)('batch %i x seqLen %i, %i heads over %i kv heads of %i', async (batch, seqLen, heads, kvHeads, headDim) => {
    const ctx = await testGpu();
    const { q, k, v } = inputs(batch, seqLen, heads, kvHeads, headDim, batch * 1000 + seqLen * 10 + headDim, 2);
    const got = await attend(ctx, { heads, kvHeads, headDim, maxBatch: batch, maxSeqLen: seqLen, variant }, batch, seqLen, q, k, v);
    expectAllclose(got, attentionRef(q, k, v, batch, seqLen, heads, kvHeads, headDim), TOL, 'attention');
  });

  // Sliding windows (Mistral v0.1): one key, shorter and longer than a key tile / query block,
  // and covering the sequence, where the result must equal full causal attention bit for bit.
  it.each([1, 31, 65])('sliding window %i over 2 x 100 tokens, GQA 2', async (window) => {
    const ctx = await testGpu();
    const [batch, seqLen, heads, kvHeads, headDim] = [2, 100, 4, 2, 32];
    const { q, k, v } = inputs(batch, seqLen, heads, kvHeads, headDim, 300 + window, 3);
    const s: Shape = { heads, kvHeads, headDim, maxBatch: batch, maxSeqLen: seqLen, variant };
    const got = await attend(ctx, { ...s, window }, batch, seqLen, q, k, v);
    const want = attentionRef(q, k, v, batch, seqLen, heads, kvHeads, headDim, window);
    expectAllclose(got, want, TOL, `attention window ${window}`);
    expect(want).not.toEqual(attentionRef(q, k, v, batch, seqLen, heads, kvHeads, headDim)); // the window bites
  });

  it('a window as long as the sequence is full causal attention, bit for bit', async () => {
    const ctx = await testGpu();
    const [batch, seqLen, heads, kvHeads, headDim] = [1, 70, 2, 1, 64];
    const { q, k, v } = inputs(batch, seqLen, heads, kvHeads, headDim, 77, 2);
    const s: Shape = { heads, kvHeads, headDim, maxBatch: batch, maxSeqLen: seqLen, variant };
    const full = await attend(ctx, s, batch, seqLen, q, k, v);
    expect(Array.from(await attend(ctx, { ...s, window: seqLen }, batch, seqLen, q, k, v))).toEqual(Array.from(full));
  });

  it('peaked softmax (large scores) stays accurate through the per-tile rescaling', async () => {
    const ctx = await testGpu();
    const [batch, seqLen, heads, kvHeads, headDim] = [2, 200, 4, 2, 64];
    const { q, k, v } = inputs(batch, seqLen, heads, kvHeads, headDim, 5, 6); // scores up to ~20
    const got = await attend(ctx, { heads, kvHeads, headDim, maxBatch: batch, maxSeqLen: seqLen, variant }, batch, seqLen, q, k, v);
    expectAllclose(got, attentionRef(q, k, v, batch, seqLen, heads, kvHeads, headDim), TOL, 'peaked attention');
  });

  it('one kernel, several shapes below its maximum: each matches the reference', async () => {
    const ctx = await testGpu();
    const s: Shape = { heads: 6, kvHeads: 2, headDim: 32, maxBatch: 4, maxSeqLen: 40, variant };
    const big = inputs(4, 40, 6, 2, 32, 99);
    const { kernel, out } = build(ctx, s, big.q, big.k, big.v);
    for (const [batch, seqLen] of [[4, 40], [3, 17], [1, 1], [2, 33]]) {
      // reinterpret the first batch * seqLen rows as a [batch, seqLen] batch
      const n = batch * seqLen;
      kernel.setShape(batch, seqLen);
      ctx.submit((pass) => kernel.encode(pass));
      const got = await ctx.readF32(out, n * 6 * 32);
      const want = attentionRef(big.q.subarray(0, n * 192), big.k.subarray(0, n * 64), big.v.subarray(0, n * 64), batch, seqLen, 6, 2, 32);
      expectAllclose(got, want, TOL, `attention ${batch}x${seqLen}`);
    }
  });

  it('a right-padded batch gives each sequence the result it gets alone', async () => {
    const ctx = await testGpu();
    const [heads, kvHeads, headDim, seqLen] = [6, 2, 32, 21];
    const lengths = [21, 7, 13];
    const rowQ = heads * headDim;
    const rowKV = kvHeads * headDim;
    const batch = inputs(3, seqLen, heads, kvHeads, headDim, 42);
    for (let b = 1; b < 3; b++) {
      // garbage in the padding rows must not reach the real rows
      for (let t = lengths[b]; t < seqLen; t++) {
        batch.k.fill(1e3, (b * seqLen + t) * rowKV, (b * seqLen + t + 1) * rowKV);
        batch.v.fill(-1e3, (b * seqLen + t) * rowKV, (b * seqLen + t + 1) * rowKV);
      }
    }
    const s: Shape = { heads, kvHeads, headDim, maxBatch: 3, maxSeqLen: seqLen, variant };
    const together = await attend(ctx, s, 3, seqLen, batch.q, batch.k, batch.v);
    for (let b = 0; b < 3; b++) {
      const L = lengths[b];
      const part = (x: Float32Array, w: number) => x.slice(b * seqLen * w, (b * seqLen + L) * w);
      const alone = await attend(ctx, { ...s, maxBatch: 1, maxSeqLen: L }, 1, L, part(batch.q, rowQ), part(batch.k, rowKV), part(batch.v, rowKV));
      expectAllclose(together.subarray(b * seqLen * rowQ, (b * seqLen + L) * rowQ), alone, { atol: 1e-6, rtol: 1e-6 }, `sequence ${b}`);
    }
  });
});

describe('attention variants', () => {
  it('tiling fits the WebGPU minimum of 16 KiB workgroup memory for common head sizes', () => {
    for (const headDim of [32, 64, 80, 128, 256]) {
      const { BQ, BK, D4 } = attentionTiling(headDim, 16384, 256);
      expect(BQ * D4).toBeLessThanOrEqual(256);
      expect(BK).toBeGreaterThanOrEqual(1);
      expect(4 * (BQ * headDim + 2 * BK * headDim + BQ * BK)).toBeLessThanOrEqual(16384);
    }
  });

  it('the software variant splits only heads wider than 128 into column chunks', () => {
    expect([4, 32, 64, 80, 128, 256, 320].map(rowwiseChunk)).toEqual([1, 8, 16, 20, 32, 32, 20]);
  });

  it('the variant follows the adapter unless forced', async () => {
    const ctx = await testGpu();
    const s: Shape = { heads: 1, kvHeads: 1, headDim: 4, maxBatch: 1, maxSeqLen: 1 };
    const one = new Float32Array(4);
    expect(build(ctx, s, one, one, one).kernel.variant).toBe(ctx.adapter.isSoftware ? 'software' : 'workgroup');
  });
});
