// Memory estimate: weights at each precision counted from the shapes by hand (the demo model's
// 3,934,656 parameters), activations per buffer, and the adapter check with its advice.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_MODEL } from '../helpers/paths';
import { ModelTooLargeError } from '../../src/engine/model/loaders/errors';
import { assertFits, checkFits, estimateModelMemory, matrixBytes } from '../../src/engine/model/loaders/memoryEstimate';

const demo = JSON.parse(readFileSync(join(DEMO_MODEL, 'config.json'), 'utf8'));
const MiB = 1 << 20;
const llama1b = { architectures: ['LlamaForCausalLM'], vocab_size: 128256, hidden_size: 2048, intermediate_size: 8192, num_hidden_layers: 16, num_attention_heads: 32, num_key_value_heads: 8, tie_word_embeddings: true };

describe('estimateModelMemory', () => {
  it('counts the demo model weights at f32/f16/q8/q4', () => {
    const e = estimateModelMemory(demo, 'q8', 2, 8);
    expect(e.parameters).toBe(3_934_656);
    const matrices = 3_934_656 - 192 * 13; // everything but the 13 RMSNorm vectors
    const norms = 4 * 192 * 13;
    expect(e.weightsByPrecision).toEqual({
      f32: 4 * 3_934_656,
      f16: 2 * matrices + norms,
      q8: matrices + (matrices / 32) * 4 + norms,
      q4: matrices / 2 + (matrices / 32) * 4 + norms,
    });
    expect(e.weightsBytes).toBe(e.weightsByPrecision.q8);
    expect(e.largestWeight.name).toBe('embed_tokens');
  });

  it('sizes one layer of f32 activations and the gathered logits', () => {
    const e = estimateModelMemory(demo, 'f32', 2, 8, 2);
    const rows = 16;
    expect(e.activations.q).toBe(4 * rows * 192);
    expect(e.activations.k).toBe(4 * rows * 64);
    expect(e.activations.attentionScores).toBe(4 * 2 * 6 * 8 * 8);
    expect(e.activations.mlpGate).toBe(4 * rows * 512);
    expect(e.activations.logits).toBe(4 * 2 * 4096);
    expect(e.activationBytes).toBe(4 * (rows * (192 * 5 + 192 + 64 * 2 + 512 * 3) + 2 * 6 * 64 + 2 * 4096));
    expect(e.totalBytes).toBe(e.weightsBytes + e.activationBytes);
  });

  it('q8/q4 fall back to f32 for rows that are not whole groups of 32', () => {
    expect(matrixBytes(3, 40, 'q4')).toBe(4 * 120);
    expect(matrixBytes(3, 64, 'q4')).toBe(96 + 24);
  });
});

describe('adapter check', () => {
  const limits = { maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: 128 * MiB };

  it('the demo model fits the WebGPU default limits', () => {
    expect(checkFits(estimateModelMemory(demo, 'f32', 16, 128), limits).fits).toBe(true);
  });

  it('a 1B model at f32 does not fit one 128 MiB binding: says needed vs available and what to try', () => {
    const err = (() => { try { assertFits(estimateModelMemory(llama1b, 'f32', 1, 256, 1), limits); } catch (e) { return e; } })() as ModelTooLargeError;
    expect(err).toBeInstanceOf(ModelTooLargeError);
    expect(err.neededBytes).toBe(128256 * 2048 * 4);
    expect(err.availableBytes).toBe(128 * MiB);
    expect(err.message).toMatch(/embed_tokens weight needs 1002.0 MiB .* allows 128.0 MiB.*Try: pick a smaller model/);
    const big = { maxBufferSize: 512 * MiB, maxStorageBufferBindingSize: 512 * MiB };
    expect(() => assertFits(estimateModelMemory(llama1b, 'f32', 1, 256, 1), big)).toThrow(/Try: load it as q4/);
    expect(assertFits(estimateModelMemory(llama1b, 'q4', 1, 256, 1), big).fits).toBe(true);
  });

  it('long sequences: names the activation and the longest sequence that fits', () => {
    const e = estimateModelMemory(demo, 'q4', 8, 4096);
    const r = checkFits(e, limits);
    expect(r.fits).toBe(false);
    expect(r.problems.join()).toMatch(/attentionScores activation for batch 8 x sequence 4096 needs 3.00 GiB/);
    // batch 8, 6 heads: 4 * 8 * 6 * T^2 <= 128 MiB  ->  T <= 836
    expect(r.advice).toMatch(/sequence length of at most 836 at batch 8/);
  });

  it('checks a total budget when one is given', () => {
    const r = checkFits(estimateModelMemory(llama1b, 'f16', 1, 128, 1), { ...limits, splitsLargeWeights: true, memoryBudgetBytes: 2000 * MiB });
    expect(r.fits).toBe(false);
    expect(r.neededBytes).toBeGreaterThan(2000 * MiB);
    expect(r.availableBytes).toBe(2000 * MiB);
    expect(r.advice).toMatch(/load it as q4/);
  });
});
