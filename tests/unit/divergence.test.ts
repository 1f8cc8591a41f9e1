// DivergenceWatch on synthetic step sequences: NaN/Infinity and 20 identical perturbed losses stop
// a run, a loss three times its start warns once, and a noisy healthy run never trips it.
import { describe, expect, it } from 'vitest';
import { DivergenceWatch, NON_FINITE_ONLY } from '../../src/engine/training/divergence';
import type { StepMetrics } from '../../src/engine/api';

const step = (i: number, lossPlus: number, lossMinus: number): StepMetrics => ({
  step: i, lossPlus, lossMinus, loss: (lossPlus + lossMinus) / 2, projectedGrad: (lossPlus - lossMinus) / 2e-3, lr: 1e-4, seed: 0, millis: 1,
});

/** Deterministic noise in [-1, 1). */
const noise = (i: number) => ((Math.imul(i + 1, 2654435761) >>> 0) / 2 ** 31) - 1;

describe('DivergenceWatch', () => {
  it('stays silent on a noisy run whose loss falls', () => {
    const watch = new DivergenceWatch();
    for (let i = 0; i < 500; i++) {
      const base = 0.8 - 0.2 * (i / 500);
      expect(watch.observe(step(i, base + 0.05 * noise(2 * i), base + 0.05 * noise(2 * i + 1)))).toBeNull();
    }
  });

  it('stops at the first non-finite loss and says what to do', () => {
    const watch = new DivergenceWatch();
    for (let i = 0; i < 5; i++) expect(watch.observe(step(i, 0.7, 0.69))).toBeNull();
    const w = watch.observe(step(5, NaN, 0.7))!;
    expect(w).toMatchObject({ code: 'non-finite', step: 5, stop: true });
    expect(w.message).toContain('Step 6');
    expect(w.message).toContain('Lower the learning rate');
    expect(watch.observe(step(6, NaN, NaN))).toBeNull(); // said once
  });

  it('stops after 20 steps whose two perturbed losses are identical, not after 19', () => {
    const watch = new DivergenceWatch();
    for (let i = 0; i < 10; i++) watch.observe(step(i, 0.7 + 0.01 * noise(i), 0.7));
    for (let i = 10; i < 29; i++) expect(watch.observe(step(i, 1.357, 1.357))).toBeNull();
    watch.observe(step(29, 1.3, 1.31)); // one differing step resets the count
    for (let i = 30; i < 49; i++) expect(watch.observe(step(i, 1.357, 1.357))).toBeNull();
    expect(watch.observe(step(49, 1.357, 1.357))).toMatchObject({ code: 'saturated', step: 49, stop: true });
  });

  it('warns once, without stopping, when the recent loss is over three times the starting loss', () => {
    const watch = new DivergenceWatch();
    const warnings = [];
    for (let i = 0; i < 200; i++) {
      const base = i < 50 ? 0.7 : 0.7 * (1 + (i - 50) / 10); // climbs from step 50: 3x by about step 70
      const w = watch.observe(step(i, base * (1 + 0.02 * noise(i)), base));
      if (w) warnings.push(w);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'rising', stop: false });
    expect(warnings[0].step).toBeGreaterThan(60);
    expect(warnings[0].step).toBeLessThan(90);
  });

  it('ZOPrO limits: identical or climbing losses pass, NaN still stops', () => {
    const watch = new DivergenceWatch(NON_FINITE_ONLY);
    for (let i = 0; i < 100; i++) expect(watch.observe(step(i, 0, 0))).toBeNull(); // equal rewards, no KL
    for (let i = 100; i < 200; i++) expect(watch.observe(step(i, i, i - 1))).toBeNull();
    expect(watch.observe(step(200, Infinity, 1))).toMatchObject({ code: 'non-finite', stop: true });
  });
});
