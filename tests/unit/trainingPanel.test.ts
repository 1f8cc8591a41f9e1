// The training panel offers only what a run's objective lets it change: for ZOPrO it hides the
// settings ZOPRO_STEP fixes (the engine refuses other values: preference/zoproRun.ts), read from
// that one list (settingsFixedBy), and the other objectives show them. Rendered to HTML in Node.
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_TRAIN_CONFIG, DEFAULT_ZOPRO, settingsFixedBy, withOptionBlocks, ZOPRO_STEP } from '../../src/engine/config';
import type { Objective } from '../../src/engine/api';
import { getState, setState } from '../../src/store/state';
import { TrainingPanel } from '../../src/ui/training/TrainingPanel';

// Rendering on a server reads a store's initial state; the panel here reads the store as it is now.
vi.mock('../../src/store/state', async (original) => {
  const store = await original<typeof import('../../src/store/state')>();
  return { ...store, useStudio: <T>(select: (s: ReturnType<typeof store.getState>) => T) => select(store.getState()) };
});

/** The labels of the panel's fields for a run of `objective`. */
function labels(objective: Objective): string {
  setState({ config: withOptionBlocks({ ...DEFAULT_TRAIN_CONFIG, objective, ...(objective === 'zopro' ? { zopro: DEFAULT_ZOPRO } : {}) }) });
  expect(getState().config.objective).toBe(objective);
  return renderToString(createElement(TrainingPanel));
}

describe('training panel', () => {
  it('ZOPrO fixes exactly ZOPRO_STEP; the other objectives fix nothing', () => {
    expect([...settingsFixedBy('zopro')].sort()).toEqual(Object.keys(ZOPRO_STEP).sort());
    for (const objective of ['classification', 'lm', 'neg-accuracy', 'dpo'] as const) expect(settingsFixedBy(objective)).toEqual([]);
  });

  it('hides the optimizer and q for ZOPrO and shows them otherwise; weight decay, clip and one-sided are never offered', () => {
    const zopro = labels('zopro');
    const zo = labels('classification');
    for (const label of ['Optimizer', 'Perturbations q']) {
      expect(zo).toContain(`>${label}<`);
      expect(zopro).not.toContain(`>${label}<`);
    }
    expect(zopro).toContain('>Learning rate<'); // the panel itself rendered
    for (const html of [zo, zopro]) expect(html).not.toMatch(/weight decay|clip|one-sided/i);
  });
});
