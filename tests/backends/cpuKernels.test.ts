// The CPU backend reads weights in the formats the WebGPU backend uploads (f32, f16, q8/q4 of
// defs/quantFormat.ts, the GGUF block formats). Its matmul and embedding, on either kernel set,
// must give what the CPU references give on the dequantized weights. The TypeScript matmul sums in
// float64 as matmulRef does; the WASM one sums f32 SIMD lanes, whose rounding over K <= 512 terms
// of |x w| <= 1 stays under 1e-4 absolute; embeddings copy decoded values: exact. Sizes straddle the 32-wide quantization group and the block formats' 256-wide
// super-blocks; rows straddle nothing (the CPU loops have no tiles), but M = 1 (decoding) and
// M > 8 (batches) are both covered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { randomBlockMatrix } from '../helpers/randomBlocks';
import { CpuBackend } from '../../src/engine/backends/cpu/cpuBackend';
import { uploadBlocks, uploadWeight } from '../../src/engine/gpu/weights';
import { matmulRef } from '../../src/engine/cpu/matmul';
import { embeddingRef } from '../../src/engine/cpu/embedding';
import { dequantize, quantize } from '../../src/engine/defs/quantFormat';
import { f16ToF32, f32ToF16 } from '../../src/engine/defs/halfFloat';
import { BLOCK_FORMATS, dequantizeBlocks } from '../../src/engine/defs/blockFormats';
import type { GpuWeight, StorageFormat, WeightFormat } from '../../src/engine/gpu/tensor';

const FORMATS: readonly StorageFormat[] = ['f32', 'f16', 'q8', 'q4', ...BLOCK_FORMATS];

/** A weight in `format` on the CPU backend and the f32 values it stands for. */
function weight(cpu: CpuBackend, format: StorageFormat, rows: number, cols: number, seed: number): { w: GpuWeight; values: Float32Array } {
  if (format === 'f32' || format === 'f16' || format === 'q8' || format === 'q4') {
    const v = randomArray(rows * cols, seed);
    const w = uploadWeight(cpu, `w-${format}`, v, rows, cols, format as WeightFormat, 'weights');
    const values = format === 'f32' ? v : format === 'f16' ? f16ToF32(f32ToF16(v)) : dequantize(quantize(format, v, rows, cols));
    return { w, values };
  }
  const m = randomBlockMatrix(format, rows, cols, seed);
  return { w: uploadBlocks(cpu, `w-${format}`, m, 'weights'), values: dequantizeBlocks(m) };
}

describe.each(['wasm', 'typescript'] as const)('CPU backend (%s kernels): matmul and embedding in every weight format', (kernels) => {
  let cpu: CpuBackend;
  beforeAll(async () => {
    cpu = await CpuBackend.create({ kernels });
  });
  afterAll(() => cpu.destroy());

  it.each(FORMATS)('%s: y = x w^T (and y += x w^T) for M in {1, 9}, N in {1, 33}, K in {256, 512}', async (format) => {
    for (const [M, N, K] of [[1, 1, 256], [9, 33, 256], [9, 33, 512], [1, 33, 512]]) {
      const { w, values } = weight(cpu, format, N, K, N * 31 + K);
      const x = randomArray(M * K, 3);
      const y0 = randomArray(M * N, 4);
      const want = matmulRef(x, values, M, N, K);
      for (const accumulate of [false, true]) {
        const xb = cpu.storageFrom('x', x, 'activations');
        const yb = cpu.storageFrom('y', y0, 'activations');
        const k = cpu.kernels.matmul({ x: xb, w, y: yb, maxRows: 16, accumulate });
        k.setRows(M);
        cpu.submit((pass) => k.encode(pass));
        const got = await cpu.readF32(yb, M * N);
        const expected = accumulate ? want.map((v, i) => Math.fround(y0[i] + v)) : want;
        expectAllclose(got, expected, kernels === 'wasm' ? { atol: 1e-4, rtol: 1e-5 } : { atol: 1e-6, rtol: 1e-6 }, `${format} ${M}x${N}x${K}${accumulate ? ' +=' : ''}`);
        k.destroy();
      }
    }
  });

  it.each(FORMATS)('%s: embedding rows, and zeros for an id past the vocabulary', async (format) => {
    const vocab = 5;
    const hidden = 256;
    const { w, values } = weight(cpu, format, vocab, hidden, 11);
    const ids = Uint32Array.of(4, 0, 7, 2);
    const out = cpu.createStorage('out', ids.length * hidden * 4, 'activations');
    const k = cpu.kernels.embedding({ table: w, ids: cpu.storageFrom('ids', ids, 'activations'), out, maxRows: 8 });
    k.setRows(ids.length);
    cpu.submit((pass) => k.encode(pass));
    const got = await cpu.readF32(out, ids.length * hidden);
    expectAllclose(got, embeddingRef(values, vocab, hidden, ids), { atol: 0, rtol: 0 }, format);
    expect(got.subarray(2 * hidden, 3 * hidden).every((v) => v === 0)).toBe(true);
  });
});
