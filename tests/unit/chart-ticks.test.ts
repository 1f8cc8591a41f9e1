// Chart axes computed from the data (src/ui/charts/ticks.ts): a run's first step (one point)
// used to give the chart library a zero-width range, which it filled with the same tick
// several times (React duplicate keys, stale labels drawn over the real ones).
import { describe, expect, it } from 'vitest';
import { axisScale } from '../../src/ui/charts/ticks';
import { describeGrads, gradHistogram } from '../../src/ui/dynamics/gradStats';

const distinct = (xs: readonly (number | string)[]) => new Set(xs).size === xs.length;

describe('axisScale', () => {
  it('opens a range around a single value, with distinct ticks and labels', () => {
    const s = axisScale([0.9724417]);
    expect(s.domain[0]).toBeLessThan(0.9724417);
    expect(s.domain[1]).toBeGreaterThan(0.9724417);
    expect(s.ticks.length).toBeGreaterThanOrEqual(3);
    expect(distinct(s.ticks)).toBe(true);
    expect(distinct(s.ticks.map(s.format))).toBe(true);
  });

  it('treats values an ulp apart as one value (the tick loop used to never end: the app froze)', () => {
    const lr = 1e-4;
    const nextUp = lr + 1.3552527156068805e-20; // 1e-4 and the next double above it
    expect(nextUp).toBeGreaterThan(lr);
    const s = axisScale([lr, nextUp]);
    expect(s.domain[0]).toBeLessThan(lr);
    expect(s.domain[1]).toBeGreaterThan(nextUp);
    expect(s.ticks.length).toBeGreaterThanOrEqual(3);
    expect(s.ticks.length).toBeLessThanOrEqual(12);
    expect(distinct(s.ticks.map(s.format))).toBe(true);
  });

  it('covers the data with round, evenly spaced ticks whose labels tell neighbours apart', () => {
    for (const values of [[0.6931, 0.6925, 0.6934], [-0.2, 0.1, 0.05], [1e-6, 3e-6], [12_000, 250_000], [0.97001, 0.97004], [3, 1, 2], [1e-4, 1e-4]]) {
      const s = axisScale(values);
      expect(s.domain[0]).toBeLessThanOrEqual(Math.min(...values));
      expect(s.domain[1]).toBeGreaterThanOrEqual(Math.max(...values));
      expect(distinct(s.ticks)).toBe(true);
      const labels = s.ticks.map(s.format);
      expect(distinct(labels), labels.join(' ')).toBe(true);
      // Each label is its tick, not a rounding of it.
      s.ticks.forEach((t, i) => expect(Math.abs(Number(labels[i]) - t), `${labels[i]} for ${t}`).toBeLessThanOrEqual(1e-9 * Math.max(1e-12, Math.abs(t))));
      const gaps = s.ticks.slice(1).map((t, i) => t - s.ticks[i]);
      for (const g of gaps) expect(Math.abs(g - gaps[0])).toBeLessThan(1e-9 * Math.max(1, Math.abs(gaps[0])));
    }
  });

  it('keeps a fixed range (accuracy in percent) and whole steps on an integer axis', () => {
    const pct = axisScale([62.5], { fixed: [0, 100] });
    expect(pct.domain).toEqual([0, 100]);
    expect(pct.ticks).toEqual([0, 25, 50, 75, 100]);
    const steps = axisScale([1, 1], { integer: true });
    expect(steps.ticks.every(Number.isInteger)).toBe(true);
    expect(distinct(steps.ticks)).toBe(true);
    const some = axisScale([1, 7], { integer: true, fixed: [1, 7], count: 6 });
    expect(some.ticks.every(Number.isInteger)).toBe(true);
    expect(some.ticks[0]).toBeGreaterThanOrEqual(1);
    expect(some.ticks.at(-1)).toBeLessThanOrEqual(7);
  });

  it('has a range with no data at all', () => {
    const s = axisScale([]);
    expect(s.domain[1]).toBeGreaterThan(s.domain[0]);
    expect(s.ticks.length).toBeGreaterThan(1);
  });
});

describe('projected-gradient histogram', () => {
  it('puts every value in a bin whose edges fall on the round ticks', () => {
    const values = [-0.37, -0.1, 0, 0.02, 0.05, 0.3, 1.12];
    const h = gradHistogram(values)!;
    expect(h.bins.reduce((a, b) => a + b.count, 0)).toBe(values.length);
    expect(h.domain[0]).toBeLessThanOrEqual(-1.12);
    expect(h.domain[1]).toBeGreaterThanOrEqual(1.12);
    for (const t of h.ticks) {
      const k = (t - h.domain[0]) / h.width;
      expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-6); // a tick sits on a bin edge
    }
    expect(gradHistogram([])).toBeNull();
  });

  it('says what the values look like instead of always "centred near zero"', () => {
    const rng = mulberry(7);
    const normal = Array.from({ length: 400 }, () => gauss(rng));
    expect(describeGrads(normal)).toContain('centred near zero');
    const shifted = normal.map((v) => v + 2);
    const text = describeGrads(shifted);
    expect(text).toContain('shifted to the positive side');
    expect(text).not.toContain('centred near zero');
    expect(describeGrads(normal.map((v) => v ** 3))).toContain('Heavy tails');
    expect(describeGrads([0.1, 0.2])).toContain('too few steps');
  });
});

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function gauss(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}
