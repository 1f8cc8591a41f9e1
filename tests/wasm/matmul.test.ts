// WASM matmul (wasm/matmul.ts, wasm/decode.ts) against the CPU reference matmulRef over the same
// f32 weights: for f32 the weights themselves, for every other format the weights as the TS
// decoders give them (decodeRows must match those bit for bit, checked first). Sizes straddle the
// f32x4 width (k), the 4x2 micro-tile (rows, n) and the 16-row panel (n).
// Tolerance: |err| <= 2e-5 + 1e-5 |ref|; f32 sums in another order, about k * 2^-24 * sum |x w|,
// below 1e-5 at these sizes (|x|, |w| <= 1).
import { describe, expect, it } from 'vitest';
import { matmulRef } from '../../src/engine/cpu/matmul';
import { decodeBlocks, BLOCK_FORMATS, type BlockFormat } from '../../src/engine/defs/blockFormats';
import { f32ToF16, f16ToF32 } from '../../src/engine/defs/halfFloat';
import { dequantize, quantize, type QuantKind } from '../../src/engine/defs/quantFormat';
import type { StorageFormat } from '../../src/engine/gpu/tensor';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { randomBlockMatrix } from '../helpers/randomBlocks';
import { bits, getF32, put, useWasmKernels } from './wasmHarness';

const TOL = { atol: 2e-5, rtol: 1e-5 };
const kernels = useWasmKernels();

/** GPU-format bytes (+ scales) of a random [n, k] weight and the f32 values they decode to. */
function weightIn(format: StorageFormat, n: number, k: number, seed: number): { data: ArrayBufferView; scales?: Float32Array; values: Float32Array } {
  if (format === 'f32') {
    const values = randomArray(n * k, seed);
    return { data: values, values };
  }
  if (format === 'f16') {
    const half = f32ToF16(randomArray(n * k, seed));
    return { data: half, values: f16ToF32(half) };
  }
  if (format === 'q8' || format === 'q4') {
    const q = quantize(format as QuantKind, randomArray(n * k, seed), n, k);
    return { data: q.data, scales: q.scales, values: dequantize(q) };
  }
  const m = randomBlockMatrix(format as BlockFormat, n, k, seed);
  return { data: m.bytes, values: decodeBlocks(m.format, m.bytes, n * k) };
}

function check(format: StorageFormat, rows: number, n: number, k: number, seed: number, opts: { alpha?: number; accumulate?: boolean } = {}): void {
  const wk = kernels();
  const w = weightIn(format, n, k, seed);
  const x = randomArray(rows * k, seed + 7);
  const y0 = randomArray(rows * n, seed + 9);
  const weight = wk.uploadWeight(format, n, k, w.data, w.scales);
  const xb = put(wk, x), yb = put(wk, y0);
  wk.matmul(xb, weight, yb, rows, opts);
  const ref = matmulRef(x, w.values, rows, n, k);
  const alpha = opts.alpha ?? 1;
  const want = ref.map((v, i) => (opts.accumulate ? y0[i] : 0) + alpha * v);
  expectAllclose(getF32(wk, yb, rows * n), want, TOL, `${format} ${rows}x${k} @ ${n}x${k}`);
  if (format !== 'f32') {
    const out = wk.allocF32(n * k);
    wk.decodeRows(weight, 0, n, out);
    expect(bits(getF32(wk, out, n * k)), `${format} decode`).toEqual(bits(w.values));
    wk.free(out);
  }
  wk.freeWeight(weight);
  wk.free(xb);
  wk.free(yb);
}

describe('wasm matmul', () => {
  it('f32 at sizes on both sides of the vector width, micro-tile and panel', () => {
    let seed = 1;
    for (const rows of [1, 3, 4, 5, 9]) for (const n of [1, 3, 4, 5, 7, 8, 9, 17, 33]) for (const k of [1, 3, 4, 5, 7, 8, 9, 33, 64]) check('f32', rows, n, k, seed++);
  });

  it('alpha and accumulate (y += alpha x w^T, the LoRA and residual forms)', () => {
    check('f32', 5, 9, 33, 3, { alpha: 0.25, accumulate: true });
    check('q4', 6, 17, 64, 4, { alpha: -2, accumulate: true });
    check('f32', 4, 8, 16, 5, { alpha: 3 });
    check('q8', 1, 17, 64, 6, { alpha: 0.5, accumulate: true }); // the fused matrix-vector path
    check('q4', 1, 33, 96, 7, { alpha: -1.5, accumulate: true });
  });

  it('f16, q8 and q4 (decoded bit for bit as the TS decoders)', () => {
    let seed = 100;
    for (const rows of [1, 4, 6]) for (const n of [1, 5, 17, 33]) {
      for (const k of [32, 96]) for (const f of ['q8', 'q4'] as const) check(f, rows, n, k, seed++);
      for (const k of [3, 8, 24, 64]) check('f16', rows, n, k, seed++);
    }
  });

  it.each(BLOCK_FORMATS)('%s blocks', (format) => {
    const ks = format === 'bf16' ? [32, 96] : ['q4_1', 'q5_0', 'q5_1'].includes(format) ? [32, 96] : [256, 512];
    let seed = 200;
    for (const rows of [1, 5]) for (const n of [1, 3, 18]) for (const k of ks) check(format, rows, n, k, seed++);
  });

  it('f16 special values decode exactly (subnormal, inf, NaN, -0)', () => {
    const wk = kernels();
    const halves = new Uint16Array([0x0001, 0x03ff, 0x0400, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x8000, 0x8001, 0x3c00, 0xc000, 0x1234, 0x0000, 0x5555, 0xabcd, 0x7c01]);
    const w = wk.uploadWeight('f16', 1, 16, halves);
    const out = wk.allocF32(16);
    wk.decodeRows(w, 0, 1, out);
    expect(bits(getF32(wk, out, 16))).toEqual(bits(f16ToF32(halves)));
  });

  it('refuses a weight whose rows are not whole groups', () => {
    expect(() => kernels().uploadWeight('q4', 2, 40, new Uint32Array(10), new Float32Array(4))).toThrow(/multiple of 32/);
  });
});
