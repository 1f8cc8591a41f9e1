// WASM row-wise kernels against the CPU references (src/engine/cpu): rmsnorm, rope (default,
// linear and Llama 3 frequencies, and a decode position offset), SwiGLU, add, bias, embedding in
// every weight format, column sums of squares. Widths straddle the f32x4 width.
// Tolerances: rmsnorm 2e-6 relative + 1e-6 (f32 sum of squares vs the reference's f64);
// rope 1e-6 (the same f32 products, cos/sin in f64 rounded as the reference); SwiGLU 6e-7
// relative + 1e-7 (a vector exp within 1 ulp, wasm/mathv.ts); add, bias, embedding exact.
import { describe, expect, it } from 'vitest';
import { addInplaceRef } from '../../src/engine/cpu/elementwise';
import { biasRef } from '../../src/engine/cpu/bias';
import { embeddingRef } from '../../src/engine/cpu/embedding';
import { rmsnormRef } from '../../src/engine/cpu/rmsnorm';
import { ropeInvFreq, ropeRef } from '../../src/engine/cpu/rope';
import { swigluRef } from '../../src/engine/cpu/swiglu';
import { columnSumsqRef } from '../../src/engine/cpu/adapters';
import { decodeBlocks } from '../../src/engine/defs/blockFormats';
import { dequantize, quantize } from '../../src/engine/defs/quantFormat';
import { f16ToF32, f32ToF16 } from '../../src/engine/defs/halfFloat';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { randomBlockMatrix } from '../helpers/randomBlocks';
import { bits, getF32, put, useWasmKernels } from './wasmHarness';

const kernels = useWasmKernels();
const WIDTHS = [1, 3, 4, 5, 7, 8, 9, 33, 64];

describe('wasm layer kernels', () => {
  it('rmsnorm', () => {
    const wk = kernels();
    for (const dim of WIDTHS) for (const rows of [1, 3]) {
      const x = randomArray(rows * dim, dim, 3), w = randomArray(dim, dim + 1);
      const xb = put(wk, x), wb = put(wk, w), yb = wk.allocF32(rows * dim);
      wk.rmsnorm(xb, wb, yb, rows, dim, 1e-5);
      expectAllclose(getF32(wk, yb, rows * dim), rmsnormRef(x, w, rows, dim, 1e-5), { atol: 1e-6, rtol: 2e-6 }, `rmsnorm ${rows}x${dim}`);
      [xb, wb, yb].forEach((b) => wk.free(b));
    }
  });

  it.each([
    ['default', null],
    ['linear', { rope_type: 'linear', factor: 4 }],
    ['llama3', { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 }],
  ] as const)('rope with %s frequencies', (_name, scaling) => {
    const wk = kernels();
    for (const headDim of [2, 6, 8, 10, 32, 64]) {
      const inv = ropeInvFreq({ headDim, ropeTheta: 10000, ropeScaling: scaling });
      const batch = 2, seqLen = 5, heads = 3;
      const qk = randomArray(batch * seqLen * heads * headDim, headDim);
      const qb = put(wk, qk), ib = put(wk, inv);
      wk.rope(qb, batch * seqLen, seqLen, heads, headDim, ib);
      expectAllclose(getF32(wk, qb, qk.length), ropeRef(qk, batch, seqLen, heads, headDim, inv), { atol: 1e-6, rtol: 1e-6 }, `rope hd ${headDim}`);
      // decode: one row at position 37 is row 37 of a 38-long sequence
      const long = randomArray(38 * heads * headDim, 5);
      const row = long.slice(37 * heads * headDim);
      const rb = put(wk, row);
      wk.rope(rb, 1, 1, heads, headDim, ib, 37);
      const want = ropeRef(long, 1, 38, heads, headDim, inv).slice(37 * heads * headDim);
      expectAllclose(getF32(wk, rb, row.length), want, { atol: 1e-6, rtol: 1e-6 }, `rope decode hd ${headDim}`);
      [qb, ib, rb].forEach((b) => wk.free(b));
    }
  });

  it('swiglu, add, bias', () => {
    const wk = kernels();
    for (const n of [...WIDTHS, 1000]) {
      const g = randomArray(n, n, 100), u = randomArray(n, n + 1, 2);
      const gb = put(wk, g), ub = put(wk, u), ob = wk.allocF32(n);
      wk.swiglu(gb, ub, ob, n);
      expectAllclose(getF32(wk, ob, n), swigluRef(g, u), { atol: 1e-7, rtol: 6e-7 }, `swiglu ${n}`);
      wk.addInplace(gb, ub, n);
      expect(bits(getF32(wk, gb, n))).toEqual(bits(addInplaceRef(g.slice(), u)));
      [gb, ub, ob].forEach((b) => wk.free(b));
    }
    for (const width of WIDTHS) {
      const y = randomArray(3 * width, width), bias = randomArray(width, 2);
      const yb = put(wk, y), bb = put(wk, bias);
      wk.biasRows(yb, bb, 3, width);
      expect(bits(getF32(wk, yb, 3 * width))).toEqual(bits(biasRef(y.slice(), bias, 3)));
      [yb, bb].forEach((b) => wk.free(b));
    }
  });

  it('the vector exp is within 2 ulp of the correctly rounded exp over [-87, 88]', () => {
    const wk = kernels();
    const n = 200_001;
    const x = Float32Array.from({ length: n }, (_, i) => -87 + (175 * i) / (n - 1));
    const xb = put(wk, x), ob = wk.allocF32(n);
    wk.exp(xb, ob, n);
    const got = getF32(wk, ob, n);
    const ulp = (v: number) => {
      const b = new Float32Array([v]);
      const u = new Uint32Array(b.buffer);
      u[0] += 1;
      return b[0] - v;
    };
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const want = Math.fround(Math.exp(x[i]));
      worst = Math.max(worst, Math.abs(got[i] - want) / ulp(want));
    }
    expect(worst).toBeLessThanOrEqual(2);
    [xb, ob].forEach((b) => wk.free(b));
  });

  it('embedding gathers and decodes rows in every format (ids >= vocab give zeros)', () => {
    const wk = kernels();
    const vocab = 7, hidden = 256;
    const ids = new Uint32Array([3, 0, 6, 9, 3]);
    const f = randomArray(vocab * hidden, 1);
    const q8 = quantize('q8', f, vocab, hidden), q4 = quantize('q4', f, vocab, hidden);
    const half = f32ToF16(f);
    const tables = [
      { format: 'f32' as const, data: f as ArrayBufferView, values: f },
      { format: 'f16' as const, data: half, values: f16ToF32(half) },
      { format: 'q8' as const, data: q8.data, scales: q8.scales, values: dequantize(q8) },
      { format: 'q4' as const, data: q4.data, scales: q4.scales, values: dequantize(q4) },
      ...(['q4k', 'q5k', 'q6k', 'bf16', 'q4_1', 'q5_0', 'q5_1'] as const).map((format) => {
        const m = randomBlockMatrix(format, vocab, hidden, 4);
        return { format, data: m.bytes as ArrayBufferView, scales: undefined, values: decodeBlocks(format, m.bytes, vocab * hidden) };
      }),
    ];
    const idb = put(wk, ids);
    for (const t of tables) {
      const w = wk.uploadWeight(t.format, vocab, hidden, t.data, 'scales' in t ? t.scales : undefined);
      const ob = wk.allocF32(ids.length * hidden);
      wk.embedding(w, idb, ids.length, ob);
      expect(bits(getF32(wk, ob, ids.length * hidden)), t.format).toEqual(bits(embeddingRef(t.values, vocab, hidden, ids)));
      wk.freeWeight(w);
      wk.free(ob);
    }
  });

  it('column sums of squares, accumulated over calls as on the GPU', () => {
    const wk = kernels();
    for (const inDim of WIDTHS) {
      const x = randomArray(5 * inDim, inDim), x2 = randomArray(3 * inDim, inDim + 1);
      const xb = put(wk, x), x2b = put(wk, x2), ob = put(wk, new Float32Array(inDim));
      wk.columnSumsq(xb, 5, inDim, ob);
      wk.columnSumsq(x2b, 3, inDim, ob);
      const a = columnSumsqRef(x, 5, inDim), b = columnSumsqRef(x2, 3, inDim);
      expectAllclose(getF32(wk, ob, inDim), a.map((v, i) => v + b[i]), { atol: 1e-6, rtol: 1e-6 }, `column sumsq ${inDim}`);
      wk.free(x2b);
      [xb, ob].forEach((b) => wk.free(b));
    }
  });
});
