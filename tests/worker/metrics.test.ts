// The main thread's metric plumbing, in Node: LTTB keeps <= threshold points with both ends,
// and step series replace superseded steps when a resumed run replays from its record.
import { describe, expect, it } from 'vitest';
import { lttb, lttbIndices } from '../../src/store/downsample';
import { appendStep, emptySteps, truncateSteps } from '../../src/store/series';

const metrics = (step: number, loss: number) => ({ step, lossPlus: loss + 0.01, lossMinus: loss - 0.01, loss, projectedGrad: 10, lr: 1e-4, seed: step, millis: 5 });

describe('lttb', () => {
  it('draws 100,000 steps with at most 2,000 points, keeping the first, last and extreme points', () => {
    const n = 100_000;
    const xs = Array.from({ length: n }, (_, i) => i + 1);
    const ys = xs.map((x) => Math.sin(x / 5000) + (x === 54_321 ? 50 : 0));
    const points = lttb(xs, ys, 2000);
    expect(points.length).toBe(2000);
    expect(points[0]).toEqual({ x: 1, y: ys[0] });
    expect(points.at(-1)).toEqual({ x: n, y: ys[n - 1] });
    expect(points.some((p) => p.x === 54_321)).toBe(true);
    const idx = lttbIndices(xs, ys, 2000);
    expect(idx.every((v, i) => i === 0 || v > idx[i - 1])).toBe(true);
  });

  it('returns short series unchanged', () => {
    expect(lttb([1, 2, 3], [4, 5, 6], 2000)).toEqual([
      { x: 1, y: 4 },
      { x: 2, y: 5 },
      { x: 3, y: 6 },
    ]);
  });
});

describe('step series', () => {
  it('smooths with a bias-corrected EMA (first value is the raw loss)', () => {
    const s = emptySteps();
    appendStep(s, metrics(1, 2));
    appendStep(s, metrics(2, 1));
    expect(s.smoothed[0]).toBeCloseTo(2, 12);
    // (0.9 * 0.1*2 + 0.1*1) / (1 - 0.81) = 0.28 / 0.19
    expect(s.smoothed[1]).toBeCloseTo(0.28 / 0.19, 12);
  });

  it('replaces steps a resumed run replays instead of holding them twice', () => {
    const s = emptySteps();
    for (let i = 1; i <= 5; i++) appendStep(s, metrics(i, 1 / i));
    appendStep(s, metrics(4, 7));
    expect(s.step).toEqual([1, 2, 3, 4]);
    expect(s.loss.at(-1)).toBe(7);
    expect(Object.values(s).every((column) => column.length === 4)).toBe(true);
    truncateSteps(s, 2);
    expect(s.step).toEqual([1]);
  });
});
