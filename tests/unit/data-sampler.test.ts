// Seeded batch sampling: deterministic in the seed, epochs without replacement, resumable from
// {seed, epoch, cursor}; right-padding of token sequences.
import { describe, expect, it } from 'vitest';
import { BatchSampler, epochPermutation, padBatch, Xoshiro128 } from '../../src/engine/data/sampler';

const take = (s: BatchSampler, n: number): number[][] => Array.from({ length: n }, () => s.next());

describe('Xoshiro128', () => {
  it('is deterministic per (seed, stream) and differs across them', () => {
    const a = new Xoshiro128(42, 0);
    const b = new Xoshiro128(42, 0);
    const xs = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xs);
    const c = new Xoshiro128(42, 1);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(xs);
    expect(xs.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32)).toBe(true);
  });

  it('below(n) is roughly uniform', () => {
    const rng = new Xoshiro128(7);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[rng.below(10)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500); // > 5 sigma
  });
});

describe('BatchSampler', () => {
  it('each epoch is a permutation: every row exactly once', () => {
    const s = new BatchSampler(10, 3, 1);
    const epoch0 = take(s, 4);
    expect(epoch0.map((b) => b.length)).toEqual([3, 3, 3, 1]);
    expect(epoch0.flat().sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(s.epoch).toBe(0);
    const epoch1 = take(s, 4).flat();
    expect(s.epoch).toBe(1);
    expect([...epoch1].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(epoch1).not.toEqual(epoch0.flat());
  });

  it('is deterministic in the seed', () => {
    expect(take(new BatchSampler(1000, 16, 0), 200)).toEqual(take(new BatchSampler(1000, 16, 0), 200));
    expect(take(new BatchSampler(1000, 16, 1), 5)).not.toEqual(take(new BatchSampler(1000, 16, 0), 5));
    expect(Array.from(epochPermutation(3, 2, 20))).toEqual(Array.from(epochPermutation(3, 2, 20)));
  });

  it('resumes the same stream from its serialized state, across epoch boundaries', () => {
    const full = take(new BatchSampler(37, 8, 99), 30);
    for (const cut of [0, 1, 4, 5, 13, 29]) {
      const first = new BatchSampler(37, 8, 99);
      take(first, cut);
      const state = JSON.parse(JSON.stringify(first.getState()));
      expect(Object.keys(state).sort()).toEqual(['cursor', 'epoch', 'seed']);
      const resumed = new BatchSampler(37, 8, 99, {}, state);
      expect(take(resumed, 30 - cut)).toEqual(full.slice(cut));
    }
    expect(() => new BatchSampler(37, 8, 5, {}, { seed: 99, epoch: 0, cursor: 0 })).toThrow(/seed 99, not 5/);
  });

  it("'drop' gives only full batches and reshuffles each epoch", () => {
    const s = new BatchSampler(10, 4, 3, { lastBatch: 'drop' });
    const batches = take(s, 6);
    expect(batches.every((b) => b.length === 4)).toBe(true);
    expect(new Set(batches[0].concat(batches[1])).size).toBe(8);
    expect(s.epoch).toBe(2);
  });

  it('rejects bad sizes with a clear message', () => {
    expect(() => new BatchSampler(0, 4, 1)).toThrow(/at least one row/);
    expect(() => new BatchSampler(5, 0, 1)).toThrow(/positive integer/);
    expect(() => new BatchSampler(3, 4, 1, { lastBatch: 'drop' })).toThrow(/every batch would be dropped/);
    expect(take(new BatchSampler(3, 4, 1), 2).map((b) => b.length)).toEqual([3, 3]);
  });
});

describe('padBatch', () => {
  it('right-pads to the longest sequence', () => {
    const p = padBatch([[1, 5, 6], [1, 7], [1, 8, 9, 10]], 0);
    expect([p.batch, p.seqLen]).toEqual([3, 4]);
    expect(p.lengths).toEqual([3, 2, 4]);
    expect(Array.from(p.ids)).toEqual([1, 5, 6, 0, 1, 7, 0, 0, 1, 8, 9, 10]);
  });

  it('pads to a fixed length when asked, and refuses sequences longer than it', () => {
    const p = padBatch([[1, 2]], 9, 4);
    expect(Array.from(p.ids)).toEqual([1, 2, 9, 9]);
    expect(() => padBatch([[1, 2, 3]], 0, 2)).toThrow(/3 tokens, more than the padded length 2/);
    expect(padBatch([], 0).ids.length).toBe(0);
  });
});
