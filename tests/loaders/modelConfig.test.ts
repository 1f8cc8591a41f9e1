// config.json validation and the checkpoint checked against it: each out-of-range or mistyped
// field the forward pass uses is an InvalidFileError naming the file and the field; a missing
// tensor (lm_head.weight of an untied model), layers that disagree and wrong shapes are errors
// naming the tensor; unused tensors are warnings listing them. No GPU needed.
import { describe, expect, it } from 'vitest';
import { InvalidFileError } from '../../src/engine/files/invalidFile';
import { checkCheckpointTensors, checkedModelConfig } from '../../src/engine/model/checkpointTensors';
import { parseLlamaConfig, UnsupportedModelError } from '../../src/engine/model/config';
import { bytesSource } from '../../src/engine/model/loaders/byteSource';
import { openSafetensors } from '../../src/engine/model/loaders/safetensors';
import type { TensorInfo } from '../../src/engine/model/loaders/types';
import { encodeSafetensors } from '../fixtures/safetensorsWriter';
import { tinyLlama } from '../fixtures/tinyLlama';

const model = tinyLlama(4);
const base = model.config as Record<string, unknown>;
const infos = (tensors = model.tensors) => new Map<string, TensorInfo>(tensors.map((t) => [t.name, { name: t.name, shape: t.shape, dtype: 'F32', byteLength: 4 * t.data.length }]));

describe('config.json validation', () => {
  it('reads a valid config as before', () => {
    const c = parseLlamaConfig(base);
    expect([c.vocabSize, c.hidden, c.layers, c.heads, c.kvHeads, c.headDim, c.rmsNormEps, c.rope.ropeTheta]).toEqual([128, 64, 2, 4, 2, 16, 1e-5, 10000]);
    expect(c.rope.ropeScaling).toBeNull();
    expect(parseLlamaConfig({ ...base, pad_token_id: -1 }).padId).toBeNull(); // old conversions' "no pad token"
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['rope_theta <= 0', { rope_theta: 0 }, /rope_theta is 0; expected a finite number > 0/],
    ['a null rope_theta (transformers does not default it)', { rope_theta: null }, /rope_theta is null; expected a finite number > 0/],
    ['negative rms_norm_eps', { rms_norm_eps: -1e-5 }, /rms_norm_eps is -0\.00001; expected a finite number > 0/],
    ['non-integer sizes', { hidden_size: 64.5 }, /hidden_size is 64\.5; expected an integer/],
    ['a size given as a string', { intermediate_size: '96' }, /intermediate_size is "96"; expected an integer/],
    ['a missing size', { num_hidden_layers: undefined }, /num_hidden_layers is missing; expected an integer/],
    ['kv heads that do not divide heads', { num_key_value_heads: 3 }, /num_key_value_heads is 3; expected a divisor of num_attention_heads \(4\)/],
    ['heads that do not divide hidden', { head_dim: undefined, num_attention_heads: 3, num_key_value_heads: 3 }, /hidden_size is 64; expected a multiple of num_attention_heads \(3\)/],
    ['an odd head dimension', { head_dim: 15 }, /head_dim is 15; expected an even head dimension/],
    ['a non-object rope_scaling', { rope_scaling: 'linear' }, /rope_scaling is "linear"; expected an object/],
    ['rope_scaling without a factor', { rope_scaling: { rope_type: 'linear' } }, /rope_scaling\.factor is missing/],
    ['llama3 rope_scaling with high <= low', { rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 4, high_freq_factor: 1, original_max_position_embeddings: 64 } }, /rope_scaling\.high_freq_factor is 1; expected a finite number > 4/],
    ['a non-integer token id', { bos_token_id: 1.5 }, /bos_token_id is 1\.5; expected an integer from 0 to 127/],
    ['a token id outside the vocabulary', { eos_token_id: [2, 128] }, /eos_token_id\[1\] is 128; expected an integer from 0 to 127/],
    ['a non-boolean tie_word_embeddings', { tie_word_embeddings: 'yes' }, /tie_word_embeddings is "yes"; expected true or false/],
    ['a zero sliding window', { sliding_window: 0 }, /sliding_window is 0; expected an integer/],
  ];
  for (const [what, change, message] of bad) {
    it(`refuses ${what}, naming the file and field`, () => {
      const err = (() => { try { parseLlamaConfig({ ...base, ...change }, 'm/config.json'); } catch (e) { return e; } })() as Error;
      expect(err).toBeInstanceOf(InvalidFileError);
      expect(err.message).toMatch(/^m\/config\.json: /);
      expect(err.message).toMatch(message);
    });
  }

  it('refuses rope types and activations the forward pass does not implement, naming the supported ones', () => {
    expect(() => parseLlamaConfig({ ...base, rope_scaling: { rope_type: 'yarn', factor: 4 } })).toThrow(UnsupportedModelError);
    expect(() => parseLlamaConfig({ ...base, rope_scaling: { rope_type: 'yarn', factor: 4 } })).toThrow(/supported: default, linear, llama3/);
    expect(() => parseLlamaConfig({ ...base, hidden_act: 'gelu' })).toThrow(/hidden_act "gelu" is not supported/);
    expect(parseLlamaConfig({ ...base, rope_scaling: { type: 'linear', factor: 2 } }).rope.ropeScaling).toEqual({ type: 'linear', factor: 2 });
  });
});

describe('checkpoint against config', () => {
  const config = parseLlamaConfig(base);

  it('accepts the matching checkpoint without warnings', () => {
    expect(checkCheckpointTensors(config, infos(), 'ckpt', 'config.json')).toEqual([]);
  });

  it('refuses an untied model without lm_head.weight, naming it', () => {
    const err = (() => { try { checkCheckpointTensors(config, infos(model.tensors.filter((t) => t.name !== 'lm_head.weight')), 'ckpt', 'config.json'); } catch (e) { return e; } })() as Error;
    expect(err).toBeInstanceOf(InvalidFileError);
    expect(err.message).toMatch(/ckpt: lm_head\.weight is missing; expected tensors the model needs \(config\.json says tie_word_embeddings is false/);
  });

  it('refuses num_hidden_layers that disagrees with the layers the checkpoint holds', () => {
    expect(() => checkCheckpointTensors(parseLlamaConfig({ ...base, num_hidden_layers: 1 }), infos(), 'ckpt', 'config.json'))
      .toThrow(/config\.json: num_hidden_layers is 1; expected the number of layers the checkpoint ckpt holds \(2/);
    expect(() => checkCheckpointTensors(parseLlamaConfig({ ...base, num_hidden_layers: 3 }), infos(), 'ckpt', 'config.json')).toThrow(/num_hidden_layers is 3/);
  });

  it('refuses a tensor whose shape the config does not imply', () => {
    expect(() => checkCheckpointTensors(parseLlamaConfig({ ...base, vocab_size: 100 }), infos(), 'ckpt', 'config.json'))
      .toThrow(/ckpt: tensor model\.embed_tokens\.weight is shape \[128,64\]; expected shape \[100,64\], which config\.json implies/);
  });

  it('warns about tensors the model does not use, listing them (a tied config with an lm_head too)', () => {
    const extra = infos([...model.tensors, { name: 'model.extra.bias', shape: [4], data: new Float32Array(4) }]);
    expect(checkCheckpointTensors(config, extra, 'ckpt', 'config.json')).toEqual(['ckpt has 1 tensor the model does not use: model.extra.bias']);
    const tied = parseLlamaConfig({ ...base, tie_word_embeddings: true });
    expect(checkCheckpointTensors(tied, infos(), 'ckpt', 'config.json')).toEqual(['ckpt has 1 tensor the model does not use: lm_head.weight']);
    const invFreq = infos([...model.tensors, { name: 'model.layers.0.self_attn.rotary_emb.inv_freq', shape: [8], data: new Float32Array(8) }]);
    expect(checkCheckpointTensors(config, invFreq, 'ckpt', 'config.json')).toEqual([]);
  });

  it('in a GGUF, whose config is inferred from its tensor names, an unused tensor is an error', () => {
    // A damaged "output.weight" would otherwise load tied, with the embedding as the LM head.
    const renamed = infos(model.tensors.map((t) => (t.name === 'lm_head.weight' ? { ...t, name: 'output.weighx' } : t)));
    const tied = parseLlamaConfig({ ...base, tie_word_embeddings: true });
    expect(checkCheckpointTensors(tied, renamed, 'ckpt', 'config.json')).toEqual(['ckpt has 1 tensor the model does not use: output.weighx']);
    expect(() => checkCheckpointTensors(tied, renamed, 'm.gguf', 'm.gguf metadata', true)).toThrow(/m\.gguf: output\.weighx is present; expected only the tensors of a llama model/);
  });

  it('checks a resolved model end to end, naming the folder', async () => {
    const reader = await openSafetensors(base, [bytesSource('model.safetensors', encodeSafetensors(model.tensors.filter((t) => t.name !== 'lm_head.weight'), 'F32'))]);
    expect(() => checkedModelConfig({ label: 'tiny', format: 'safetensors', config: base, reader, files: [] } as never)).toThrow(/tiny safetensors: lm_head\.weight is missing/);
  });
});
