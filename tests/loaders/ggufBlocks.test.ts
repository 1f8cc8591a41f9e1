// GGUF Q4_K, Q5_K, Q6_K, BF16, Q4_1, Q5_0 and Q5_1 tensors (written by the fixture's independent quantizers,
// tests/fixtures/ggufKQuants.ts): readF32 gives the values the format spec defines, and
// readBlocks hands over the stored blocks with q/k rows un-permuted, decoding to the same
// values. Tolerance: none; every value is exact in f32.
import { describe, expect, it } from 'vitest';
import { dequantizeBlocks } from '../../src/engine/defs/blockFormats';
import { bytesSource } from '../../src/engine/model/loaders/byteSource';
import { openGguf } from '../../src/engine/model/loaders/gguf/ggufLlama';
import { encodeGguf, GGML, llamaGguf } from '../fixtures/ggufWriter';
import { UnsupportedDtypeError } from '../../src/engine/model/loaders/errors';
import { tinyLlama } from '../fixtures/tinyLlama';
import { expectBitEqual } from './bitEqual';

const model = tinyLlama(7, { wide: true });

describe('GGUF block formats', () => {
  const types = [
    ['Q4_K', GGML.Q4_K, 'q4k'], ['Q5_K', GGML.Q5_K, 'q5k'], ['Q6_K', GGML.Q6_K, 'q6k'], ['BF16', GGML.BF16, 'bf16'],
    ['Q4_1', GGML.Q4_1, 'q4_1'], ['Q5_0', GGML.Q5_0, 'q5_0'], ['Q5_1', GGML.Q5_1, 'q5_1'],
  ] as const;
  for (const [label, type, format] of types) {
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

  it('still refuses the types it has no kernel for, naming the supported ones', async () => {
    const bytes = encodeGguf([['general.architecture', 'str', 'llama'], ['llama.embedding_length', 'u32', 64], ['llama.attention.head_count', 'u32', 4],
      ['llama.feed_forward_length', 'u32', 96], ['llama.block_count', 'u32', 1], ['llama.context_length', 'u32', 64], ['llama.vocab_size', 'u32', 8]],
    [{ name: 'blk.0.attn_q.weight', shape: [64, 64], type: GGML.IQ4_NL, bytes: new Uint8Array(64 * 2 * 18) }]);
    const err = await openGguf(bytesSource('t.gguf', bytes)).catch((e) => e);
    expect(err).toBeInstanceOf(UnsupportedDtypeError);
    expect(err.message).toMatch(/stored as IQ4_NL.*supported: F32, F16, Q8_0, Q4_0, Q4_K, Q6_K, Q5_K, BF16, Q4_1, Q5_0, Q5_1/);
  });
});
