// The CPU sampler: temperature, top-k and top-p shape the distribution as HF's warpers do; the
// counter-based uniforms are reproducible and roughly uniform.
import { describe, expect, it } from 'vitest';
import { sampleToken, sampleUniform, samplingDistribution } from '../../src/engine/generation/tokenSampler';

const logits = Float32Array.from([1, 3, 2, 0, 2.5]);

describe('sampler', () => {
  it('greedy is the first argmax', () => {
    expect(samplingDistribution(logits, { temperature: 0, topK: 0, topP: 1 })).toEqual({ tokens: [1], probs: [1] });
  });
  it('top-k keeps the k most likely tokens', () => {
    const d = samplingDistribution(logits, { temperature: 1, topK: 2, topP: 1 });
    expect(d.tokens).toEqual([1, 4]);
    const e = Math.exp(-0.5);
    expect(d.probs[0]).toBeCloseTo(1 / (1 + e), 12);
  });
  it('top-p keeps the smallest prefix reaching p', () => {
    const full = samplingDistribution(logits, { temperature: 1, topK: 0, topP: 1 });
    const p = full.probs[0] + full.probs[1] - 1e-9;
    expect(samplingDistribution(logits, { temperature: 1, topK: 0, topP: p }).tokens).toEqual([1, 4]);
    expect(samplingDistribution(logits, { temperature: 1, topK: 0, topP: 0.01 }).tokens).toEqual([1]);
  });
  it('temperature sharpens and flattens', () => {
    const cold = samplingDistribution(logits, { temperature: 0.1, topK: 0, topP: 1 });
    const hot = samplingDistribution(logits, { temperature: 10, topK: 0, topP: 1 });
    expect(cold.probs[0]).toBeGreaterThan(0.99);
    expect(hot.probs[0]).toBeLessThan(0.3);
  });
  it('draws are reproducible and close to the distribution', () => {
    expect(sampleUniform(7, 3, 1)).toBe(sampleUniform(7, 3, 1));
    expect(sampleUniform(7, 3, 1)).not.toBe(sampleUniform(8, 3, 1));
    const counts = new Map<number, number>();
    const o = { temperature: 1, topK: 0, topP: 1, seed: 5 };
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const t = sampleToken(logits, o, sampleUniform(5, i, 0));
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const d = samplingDistribution(logits, o);
    d.tokens.forEach((t, i) => expect(Math.abs((counts.get(t) ?? 0) / n - d.probs[i])).toBeLessThan(0.015));
  });
});
