// GGUF Q4_K, Q5_K, Q6_K and BF16 tensors (written by the fixture's independent quantizers,
// tests/fixtures/ggufKQuants.ts): readF32 gives the values the format spec defines, and
// readBlocks hands over the stored blocks with q/k rows un-permuted, decoding to the same
// values. Tolerance: none; every value is exact in f32.
import { describe, expect, it } from 'vitest';
import { dequantizeBlocks } from '../../src/engine/defs/blockFormats';
import { bytesSource } from '../../src/engine/model/loaders/byteSource';
import { openGguf } from '../../src/engine/model/loaders/gguf/ggufLlama';
import { GGML, llamaGguf } from '../fixtures/ggufWriter';
import { tinyLlama } from '../fixtures/tinyLlama';
import { expectBitEqual } from './bitEqual';

const model = tinyLlama(7, { wide: true });

describe('GGUF block formats', () => {
  for (const [label, type, format] of [['Q4_K', GGML.Q4_K, 'q4k'], ['Q5_K', GGML.Q5_K, 'q5k'], ['Q6_K', GGML.Q6_K, 'q6k'], ['BF16', GGML.BF16, 'bf16']] as const) {
    it(`${label}: readF32 is the spec's value of every weight; readBlocks the stored blocks in HF row order`, async () => {
      const g = llamaGguf(model, type);
      const reader = await openGguf(bytesSource('t.gguf', g.bytes));
      for (const t of model.tensors) {
        const want = g.expected.get(t.name)!;
        expect(reader.tensors.get(t.name)!.dtype).toBe(t.shape.length === 2 ? label : 'F32');
        expectBitEqual(await reader.readF32(t.name), want, t.name);
        const blocks = await reader.readBlocks!(t.name);
        if (t.shape.length === 1) {
          expect(blocks).toBeNull();
          continue;
        }
        expect(await reader.readQuantized!(t.name)).toBeNull();
        expect(blocks).toMatchObject({ format, rows: t.shape[0], cols: t.shape[1] });
        expectBitEqual(dequantizeBlocks(blocks!), want, `${t.name} blocks`);
      }
      // The quantization is real: values differ from the source (BF16 by at most 2^-8 relative).
      const q = g.expected.get('model.layers.0.mlp.up_proj.weight')!;
      const src = model.tensors.find((t) => t.name === 'model.layers.0.mlp.up_proj.weight')!.data;
      expect(q.some((v, i) => v !== src[i])).toBe(true);
    });
  }
});
