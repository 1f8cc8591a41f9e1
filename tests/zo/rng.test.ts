// Tolerance: Philox u32 words bit-exact (integer arithmetic, no rounding anywhere); Gaussians
// within 2e-6 absolute (|z| < 5.8): the polynomials are the same, but GPU division and sqrt are
// not correctly rounded (WGSL allows 2.5 ulp) and the GPU may fuse multiply-adds. Moments over
// 1e5 samples: mean within 0.02 (about 6 standard errors), variance within 0.02.
import { describe, expect, it } from 'vitest';
import probeCode from './rng_probe.wgsl?raw';
import rngCode from '../../shaders/rng.wgsl?raw';
import { BoundKernel } from '../../src/engine/gpu/kernel';
import { gaussian4, gaussianRange, philox4x32 } from '../../src/engine/defs/rng';
import { testGpu } from '../helpers/gpu';

const hex = (a: ArrayLike<number>) => Array.from(a, (v) => (v >>> 0).toString(16).padStart(8, '0')).join(' ');

/** Counters and keys: small, near 2^32 (carries in the 16-bit mulhi split), random high bits. */
function queries(n: number): Uint32Array {
  const q = new Uint32Array(n * 8);
  let s = 12345;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 6; k++) {
      const kind = i % 4;
      q[i * 8 + k] = kind === 0 ? i + k : kind === 1 ? (0xffffffff - i - k) >>> 0 : kind === 2 ? next() : (next() | 0x80008000) >>> 0;
    }
  }
  return q;
}

describe('Philox-4x32-10 RNG', () => {
  it('TS twin matches the Random123 known-answer vectors', () => {
    expect(hex(philox4x32(0, 0, 0, 0, 0, 0))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    const m = 0xffffffff;
    expect(hex(philox4x32(m, m, m, m, m, m))).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
    expect(hex(philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0))).toBe(
      'd16cfe09 94fdcceb 5001e420 24126ea1',
    );
  });

  it('WGSL words equal the TS twin bit for bit and Gaussians agree to 2e-6 on 4096 counters', async () => {
    const ctx = await testGpu();
    const n = 4096;
    const q = queries(n);
    const qb = ctx.storageFrom('rng-queries', q, 'scratch');
    const words = ctx.createStorage('rng-words', n * 16, 'scratch');
    const normals = ctx.createStorage('rng-normals', n * 16, 'scratch');
    const k = new BoundKernel(ctx, {
      name: 'rng_probe',
      code: `${rngCode}\n${probeCode}`,
      entryPoint: 'probe',
      constants: { N: n },
      bindings: [qb, words, normals],
      grid: [n / 64, 1, 1],
    });
    ctx.submit((pass) => k.encode(pass));
    const gotWords = await ctx.readU32(words);
    const gotNormals = await ctx.readF32(normals);
    let mismatches = 0;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const b = i * 8;
      const want = philox4x32(q[b], q[b + 1], q[b + 2], q[b + 3], q[b + 4], q[b + 5]);
      for (let c = 0; c < 4; c++) if (gotWords[i * 4 + c] !== want[c]) mismatches++;
      const z = gaussian4(q[b + 4], q[b + 3], q[b + 2], q[b + 1], q[b]);
      for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs(gotNormals[i * 4 + c] - z[c]));
    }
    expect(mismatches).toBe(0);
    expect(worst).toBeLessThan(2e-6);
    for (const b of [qb, words, normals]) ctx.release(b);
  });

  it('Gaussian moments over 1e5 samples: mean ~0, variance ~1, 4th moment ~3', () => {
    const z = gaussianRange(7, 3, 0, 2, 100_000);
    let m1 = 0, m2 = 0, m4 = 0, big = 0;
    for (const x of z) {
      m1 += x;
      m2 += x * x;
      m4 += x * x * x * x;
      if (Math.abs(x) > 3) big++;
    }
    const n = z.length;
    expect(Math.abs(m1 / n)).toBeLessThan(0.02);
    expect(Math.abs(m2 / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(m4 / n - 3)).toBeLessThan(0.15);
    expect(big / n).toBeGreaterThan(0.0015); // P(|z| > 3) = 0.0027: the tails exist
    expect(big / n).toBeLessThan(0.004);
  });

  it('streams, perturbation indices and steps give uncorrelated z', () => {
    const n = 20_000;
    const a = gaussianRange(1, 0, 0, 0, n);
    for (const b of [gaussianRange(1, 0, 0, 1, n), gaussianRange(1, 0, 1, 0, n), gaussianRange(1, 1, 0, 0, n), gaussianRange(2, 0, 0, 0, n)]) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += a[i] * b[i];
      expect(Math.abs(dot / n)).toBeLessThan(0.04); // 1/sqrt(n) = 0.007
    }
  });
});
