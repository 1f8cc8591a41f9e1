// How a GGUF's rope scaling reaches the config: Llama 3.x's rope_freqs.weight tensor (what
// convert_hf_to_gguf.py writes instead of metadata) becomes rope_freq_factors and is not left
// as a stray tensor; llama.rope.scaling.* linear (and the older rope.scale_linear) becomes HF's
// linear rope_scaling; other scaling types and partial rotary embeddings are refused by name.
// Exact comparisons: values pass through unchanged.
import { describe, expect, it } from 'vitest';
import { parseLlamaConfig, UnsupportedModelError } from '../../src/engine/model/config';
import { bytesSource } from '../../src/engine/model/loaders/byteSource';
import { openGguf } from '../../src/engine/model/loaders/gguf/ggufLlama';
import { GGML, llamaGguf, type Kv } from '../fixtures/ggufWriter';
import { tinyLlama } from '../fixtures/tinyLlama';

const model = tinyLlama(7);
const open = (bytes: Uint8Array) => openGguf(bytesSource('rope.gguf', bytes));
const DIVISORS = Float32Array.from([1, 1, 1, 1.25, 3.5, 8, 8, 8]); // headDim 16

describe('GGUF rope scaling', () => {
  it('rope_freqs.weight becomes the rope frequency divisors and is not a model tensor', async () => {
    const reader = await open(llamaGguf(model, GGML.F32, { ropeFreqs: DIVISORS }).bytes);
    expect(reader.config.rope_freq_factors).toEqual(Array.from(DIVISORS));
    expect(reader.config.rope_scaling).toBeNull();
    expect(reader.tensors.has('rope_freqs.weight')).toBe(false);
    expect([...reader.tensors.keys()].sort()).toEqual(model.tensors.map((t) => t.name).sort());
    const c = parseLlamaConfig(reader.config);
    expect(c.rope.freqFactors).toEqual(Array.from(DIVISORS));
    // Without the tensor nothing changes.
    expect((await open(llamaGguf(model, GGML.F32).bytes)).config.rope_freq_factors).toBeUndefined();
  });

  it('a rope_freqs of the wrong length or type is refused', async () => {
    const short = await open(llamaGguf(model, GGML.F32, { ropeFreqs: DIVISORS.subarray(0, 4) }).bytes);
    expect(() => parseLlamaConfig(short.config)).toThrow(UnsupportedModelError);
    expect(() => parseLlamaConfig(short.config)).toThrow(/4 frequency factors.*needs 8/);
  });

  it('linear scaling from llama.rope.scaling.* and from the older llama.rope.scale_linear', async () => {
    const linear = { ...model, config: { ...model.config, rope_scaling: { type: 'linear', factor: 4 } } };
    const reader = await open(llamaGguf(linear, GGML.F32).bytes);
    expect(reader.config.rope_scaling).toEqual({ rope_type: 'linear', factor: 4 });
    expect(parseLlamaConfig(reader.config).rope.ropeScaling).toEqual({ rope_type: 'linear', factor: 4 });
    const legacy = await open(llamaGguf(model, GGML.F32, { extraKv: [['llama.rope.scale_linear', 'f32', 2]] }).bytes);
    expect(legacy.config.rope_scaling).toEqual({ rope_type: 'linear', factor: 2 });
    const none = await open(llamaGguf(model, GGML.F32, { extraKv: [['llama.rope.scaling.type', 'str', 'none']] }).bytes);
    expect(none.config.rope_scaling).toBeNull();
  });

  it('YaRN scaling is refused with the supported types', async () => {
    const kvs: Kv[] = [['llama.rope.scaling.type', 'str', 'yarn'], ['llama.rope.scaling.factor', 'f32', 4], ['llama.rope.scaling.original_context_length', 'u32', 4096]];
    const reader = await open(llamaGguf(model, GGML.F32, { extraKv: kvs }).bytes);
    expect(reader.config.rope_scaling).toEqual({ rope_type: 'yarn', factor: 4, original_max_position_embeddings: 4096 });
    expect(() => parseLlamaConfig(reader.config)).toThrow(/'yarn' is not supported \(supported: default, linear, llama3\)/);
  });

  it('a rope.dimension_count smaller than the head (partial rotary) is refused', async () => {
    // llamaGguf writes dimension_count = head_dim (16); rotate only 8 of the 16 dimensions.
    const patched = patchU32Kv(llamaGguf(model, GGML.F32).bytes, 'llama.rope.dimension_count', 8);
    await expect(open(patched)).rejects.toThrow(/dimension_count 8 differs from the head size 16/);
  });
});

/** The file with the u32 value of metadata key `key` replaced (keys are length-prefixed strings). */
function patchU32Kv(bytes: Uint8Array, key: string, value: number): Uint8Array {
  const name = new TextEncoder().encode(key);
  const out = bytes.slice();
  for (let i = 0; i + name.length + 8 < out.length; i++) {
    if (name.every((b, j) => out[i + j] === b) && out[i - 8] === name.length) {
      const at = i + name.length + 4; // after the key, the u32 type id
      new DataView(out.buffer).setUint32(at, value, true);
      return out;
    }
  }
  throw new Error(`no key ${key}`);
}
