// Tolerance: 1e-5 relative + 2e-6 absolute. The angle t * invFreq is the same f32 product on
// both sides; the GPU then reduces it mod pi/2 in f32 (error ~1e-7 rad at t = 4095) and
// evaluates sin/cos polynomials (about one ulp), against Math.cos/sin of the same f32 angle.
// (WGSL's built-in sin/cos failed this at 2e-4 on SwiftShader, hence the hand-written sincos.)
// ropeInvFreq is checked against values derived by hand from the HF formulas (rtol 1e-6); the
// GGUF route (llama.cpp's rope_freqs divisors) against HF's llama3 frequencies (rtol 3e-7: the
// two round differently in f32).
import { describe, expect, it } from 'vitest';
import { RopeKernel } from '../../src/engine/gpu/kernels/rope';
import { ropeInvFreq, ropeRef, type RopeConfig } from '../../src/engine/cpu/rope';
import type { GpuContext } from '../../src/engine/gpu/context';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { testGpu } from '../helpers/gpu';

const TOL = { atol: 2e-6, rtol: 1e-5 };
const LLAMA32: RopeConfig = {
  headDim: 64,
  ropeTheta: 500_000,
  ropeScaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
};

describe('ropeInvFreq', () => {
  it('default: 1 / theta^(2i/d) for d = 8, theta = 1e4 is 1, 0.1, 0.01, 0.001', () => {
    expectAllclose(ropeInvFreq({ headDim: 8, ropeTheta: 10_000 }), [1, 0.1, 0.01, 0.001], { atol: 0, rtol: 1e-7 });
    expectAllclose(ropeInvFreq({ headDim: 8, ropeTheta: 10_000, ropeScaling: null }), [1, 0.1, 0.01, 0.001], { atol: 0, rtol: 1e-7 });
  });

  it('llama3: keeps high frequencies, divides low ones by factor, blends the middle (hand-derived)', () => {
    // d = 8, theta = 1e4, factor 8, low 1, high 4, original context 1024:
    // low_freq_wavelen = 1024, high_freq_wavelen = 256; wavelen = 2*pi / f = 6.28, 62.8, 628.3, 6283.2
    //   f0 = 1, f1 = 0.1                  (wavelen < 256: unchanged)
    //   f2: smooth = (1024 / 628.3185307 - 1) / (4 - 1) = 0.2099155391
    //       f = (1 - smooth) * 0.01 / 8 + smooth * 0.01 = 0.003086760967
    //   f3 = 0.001 / 8 = 0.000125         (wavelen > 1024)
    const got = ropeInvFreq({
      headDim: 8,
      ropeTheta: 10_000,
      ropeScaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 1024 },
    });
    expectAllclose(got, [1, 0.1, 0.003086760967, 0.000125], { atol: 0, rtol: 1e-6 });
  });

  it('llama3 with the legacy `type` key and Llama 3.2 settings stays between default and default/factor', () => {
    const base = ropeInvFreq({ headDim: 64, ropeTheta: 500_000 });
    const scaled = ropeInvFreq(LLAMA32);
    const legacy = ropeInvFreq({ ...LLAMA32, ropeScaling: { ...LLAMA32.ropeScaling!, rope_type: undefined, type: 'llama3' } });
    expect(Array.from(legacy)).toEqual(Array.from(scaled));
    expect(scaled[0]).toBe(base[0]);
    expect(scaled[31]).toBeCloseTo(base[31] / 32, 12);
    for (let i = 0; i < 32; i++) {
      expect(scaled[i]).toBeLessThanOrEqual(base[i]);
      expect(scaled[i]).toBeGreaterThanOrEqual(Math.fround(base[i] / 32));
    }
    expect(scaled.some((v, i) => v !== base[i] && v !== Math.fround(base[i] / 32))).toBe(true); // a blended band
  });

  it('linear: every frequency divided by factor (HF inv_freq /= factor), with type or rope_type', () => {
    const base = ropeInvFreq({ headDim: 16, ropeTheta: 10_000 });
    const want = base.map((v) => Math.fround(v / 4));
    expect(Array.from(ropeInvFreq({ headDim: 16, ropeTheta: 10_000, ropeScaling: { type: 'linear', factor: 4 } }))).toEqual(Array.from(want));
    expect(Array.from(ropeInvFreq({ headDim: 16, ropeTheta: 10_000, ropeScaling: { rope_type: 'linear', factor: 4 } }))).toEqual(Array.from(want));
    expect(() => ropeInvFreq({ headDim: 8, ropeTheta: 1e4, ropeScaling: { type: 'linear', factor: 0 } })).toThrow(/positive factor/);
  });

  it("freqFactors (a GGUF's rope_freqs): llama.cpp's converter divisors reproduce HF's llama3 frequencies", () => {
    // convert_hf_to_gguf.py: factor 1 (short wavelengths), factor (long), 1 / ((1 - smooth) / factor + smooth) between.
    const { factor, low_freq_factor: low, high_freq_factor: high, original_max_position_embeddings: old } = LLAMA32.ropeScaling as Required<NonNullable<RopeConfig['ropeScaling']>>;
    const base = ropeInvFreq({ headDim: 64, ropeTheta: 500_000 });
    const divisors = Array.from(base, (f) => {
      const wavelen = (2 * Math.PI) / f;
      if (wavelen < old / high) return 1;
      if (wavelen > old / low) return factor;
      const smooth = (old / wavelen - low) / (high - low);
      return 1 / ((1 - smooth) / factor + smooth);
    });
    const fromFile = ropeInvFreq({ headDim: 64, ropeTheta: 500_000, freqFactors: divisors });
    expectAllclose(fromFile, ropeInvFreq(LLAMA32), { atol: 0, rtol: 3e-7 });
    expect(divisors.filter((d) => d !== 1 && d !== factor).length).toBeGreaterThan(0); // a blended band
    expect(() => ropeInvFreq({ headDim: 64, ropeTheta: 500_000, freqFactors: divisors.slice(1) })).toThrow(/31 frequency factors.*needs 32/);
    expect(() => ropeInvFreq({ headDim: 8, ropeTheta: 1e4, freqFactors: [1, 0, 1, 1] })).toThrow(/factor 1 is 0/);
  });

  it('names the rope type it does not support', () => {
    expect(() => ropeInvFreq({ headDim: 8, ropeTheta: 1e4, ropeScaling: { rope_type: 'yarn', factor: 4 } })).toThrow(/'yarn'/);
    expect(() => ropeInvFreq({ headDim: 8, ropeTheta: 1e4, ropeScaling: { type: 'dynamic', factor: 2 } })).toThrow(/'dynamic'/);
  });
});

async function rotate(ctx: GpuContext, x: Float32Array, batch: number, seqLen: number, heads: number, headDim: number, inv: Float32Array, maxRows: number): Promise<Float32Array> {
  const qk = ctx.storageFrom('qk', x, 'activations');
  const invBuf = ctx.storageFrom('invFreq', inv, 'weights');
  const k = new RopeKernel(ctx, { qk, heads, headDim, invFreq: invBuf, maxRows });
  k.setShape(batch, seqLen);
  ctx.submit((pass) => k.encode(pass));
  return ctx.readF32(qk);
}

describe('rope kernel', () => {
  const cases: [number, number, number, number][] = [
    // batch, seqLen, heads, headDim
    [1, 1, 1, 2],
    [1, 63, 1, 8],
    [2, 64, 3, 32],
    [3, 65, 2, 64],
    [1, 257, 1, 128],
    [4, 17, 6, 32],
    [1, 4096, 1, 8],
  ];
  it.each(cases)('batch %i x seqLen %i, %i heads of %i, default rope', async (batch, seqLen, heads, headDim) => {
    const ctx = await testGpu();
    const x = randomArray(batch * seqLen * heads * headDim, batch * 131 + seqLen + headDim);
    const inv = ropeInvFreq({ headDim, ropeTheta: 10_000 });
    const got = await rotate(ctx, x, batch, seqLen, heads, headDim, inv, batch * seqLen);
    expectAllclose(got, ropeRef(x, batch, seqLen, heads, headDim, inv), TOL, 'rope');
  });

  it('llama3-scaled frequencies, and a smaller shape than it was built for leaves the rest alone', async () => {
    const ctx = await testGpu();
    const [heads, headDim, maxRows] = [4, 64, 300];
    const x = randomArray(maxRows * heads * headDim, 77);
    const inv = ropeInvFreq(LLAMA32);
    const got = await rotate(ctx, x, 3, 70, heads, headDim, inv, maxRows);
    const used = 3 * 70 * heads * headDim;
    expectAllclose(got.subarray(0, used), ropeRef(x.subarray(0, used), 3, 70, heads, headDim, inv), TOL, 'rope llama3');
    expect(Array.from(got.subarray(used))).toEqual(Array.from(x.subarray(used)));
    // position 0 is the identity, position 1 is not
    expect(Array.from(got.subarray(0, heads * headDim))).toEqual(Array.from(x.subarray(0, heads * headDim)));
    expect(got[heads * headDim]).not.toBe(x[heads * headDim]);
  });

  it('linear scaling and rope_freqs divisors at long positions (up to 8191)', async () => {
    const ctx = await testGpu();
    const [heads, headDim, seqLen] = [1, 16, 8192];
    const x = randomArray(seqLen * heads * headDim, 91);
    for (const rope of [
      { headDim, ropeTheta: 10_000, ropeScaling: { type: 'linear', factor: 4 } },
      { headDim, ropeTheta: 500_000, freqFactors: [1, 1, 1, 1, 1.7, 32, 32, 32] },
    ]) {
      const inv = ropeInvFreq(rope);
      expectAllclose(await rotate(ctx, x, 1, seqLen, heads, headDim, inv, seqLen), ropeRef(x, 1, seqLen, heads, headDim, inv), TOL, 'rope scaled');
    }
  });
});
