// Preference-run reward curves on the main thread, in Node: rows from 'reward' events (NaN for
// what an objective does not report), replays that supersede rows, the IndexedDB and run-file
// round trips (JSON writes NaN as null; runs saved before reward curves have none), and the chart
// lines read from them (the preference defaults have one home, src/engine/config: tests/unit/config-defaults.test.ts).
import { describe, expect, it } from 'vitest';
import type { RewardMetrics } from '../../src/engine/api';
import { exportRunFile, importRunFile } from '../../src/store/persistence';
import type { StoredRun } from '../../src/store/runTypes';
import { zoHyperFromConfig } from '../../src/engine/defs/zoConfig';
import { encodeRunRecord, newRecord } from '../../src/engine/zo/record';
import { appendReward, emptyEvals, emptyRewards, emptySteps, rewardsFrom, truncateRewards, type RewardSeries } from '../../src/store/series';
import type { RunView } from '../../src/store/runs/slice';
import { rewardPoints } from '../../src/ui/charts/chartData';

const dpo = (step: number, split: string, margin: number): RewardMetrics => ({ step, objective: 'dpo', split, loss: 0.69 - margin, margin, rewardAccuracy: 0.5 + margin, accuracy: 0.6, n: 8 });
const zopro = (step: number, mean: number): RewardMetrics => ({ step, objective: 'zopro', split: 'rollout', loss: -mean, rewardMean: mean, rewardStd: 0.1, kl: step / 100, n: 4 });

const lengths = (r: RewardSeries) => new Set(Object.values(r).map((column: unknown[]) => column.length));

describe('reward series', () => {
  it('appends DPO and ZOPrO rows with NaN for the fields the objective does not report', () => {
    const r = emptyRewards();
    appendReward(r, dpo(0, 'train', 0));
    appendReward(r, dpo(0, 'dev', 0));
    appendReward(r, zopro(1, 0.4));
    expect(r.step).toEqual([0, 0, 1]);
    expect(r.split).toEqual(['train', 'dev', 'rollout']);
    expect(r.margin.slice(0, 2)).toEqual([0, 0]);
    expect(r.rewardMean[0]).toBeNaN();
    expect(r.kl[1]).toBeNaN();
    expect(r.margin[2]).toBeNaN();
    expect(r.rewardMean[2]).toBe(0.4);
    expect(r.kl[2]).toBe(0.01);
    expect(lengths(r)).toEqual(new Set([3]));
  });

  it('keeps both splits of one evaluation, and a replayed evaluation replaces the rows from its step on', () => {
    const r = emptyRewards();
    for (const step of [0, 1, 2, 3]) {
      appendReward(r, dpo(step, 'train', step / 10));
      appendReward(r, dpo(step, 'dev', step / 20));
    }
    expect(r.step).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    // A resume from a record at step 1 evaluates step 2 again.
    appendReward(r, dpo(2, 'train', 0.9));
    expect(r.step).toEqual([0, 0, 1, 1, 2]);
    expect(r.margin.at(-1)).toBe(0.9);
    appendReward(r, dpo(2, 'dev', 0.8));
    expect(r.split.slice(-2)).toEqual(['train', 'dev']);
    // The same evaluation repeated at the last step (evaluate at the end of a resumed run).
    appendReward(r, dpo(2, 'train', 0.7));
    expect(r.step).toEqual([0, 0, 1, 1, 2]);
    expect(r.margin.at(-1)).toBe(0.7);
    expect(lengths(r)).toEqual(new Set([5]));
  });

  it('drops a ZOPrO run\'s rows when it restarts from step 1, and truncates before a step', () => {
    const r = emptyRewards();
    for (let s = 1; s <= 5; s++) appendReward(r, zopro(s, s / 10));
    appendReward(r, zopro(1, 0.05));
    expect(r.step).toEqual([1]);
    expect(r.rewardMean).toEqual([0.05]);
    for (let s = 2; s <= 4; s++) appendReward(r, zopro(s, s / 10));
    truncateRewards(r, 3);
    expect(r.step).toEqual([1, 2]);
    expect(lengths(r)).toEqual(new Set([2]));
  });
});

/** A real two-step record of the run's config: run files are validated down to their record bytes. */
function recordOf(config: StoredRun['meta']['config']): Uint8Array {
  const hyper = zoHyperFromConfig(config);
  const rec = newRecord(hyper, { config });
  for (let step = 0; step < 2; step++) rec.steps.push({ step, loss: 0.7 - step / 10, values: Float32Array.of(0.01 * (step + 1)) });
  return encodeRunRecord(rec);
}

function storedRun(rewards: RewardSeries | undefined): StoredRun {
  const run: StoredRun = {
    version: 1,
    meta: {
      id: 'run-1', name: 'wn-define-pref · dpo', createdAt: 1, updatedAt: 2,
      config: { mode: 'lora', optimizer: 'zo-sgd', objective: 'dpo', steps: 2, lr: 1e-4, eps: 1e-3, batch: 2, q: 1, seed: 0, weightDecay: 0, schedule: 'constant', clip: 0, oneSided: false, evalEvery: 1, evalSplit: 'dev', evalLimit: 8, dpo: { beta: 2 } },
      model: { source: { kind: 'demo' }, precision: 'f32', name: 'demo', maxSeqLen: 128 },
      task: { name: 'wn-define-pref', demo: true, spec: { name: 'wn-define-pref', type: 'preference', prompt_template: '{prompt}' } as StoredRun['meta']['task']['spec'] },
      state: 'finished',
    },
    steps: emptySteps(),
    evals: emptyEvals(),
    ...(rewards ? { rewards } : {}),
    record: new Uint8Array(0),
    recordStep: 2,
  };
  run.record = recordOf(run.meta.config);
  return run;
}

/** Column equality where NaN equals NaN (toEqual already treats NaN so; this says it outright). */
function expectSameSeries(actual: RewardSeries, expected: RewardSeries): void {
  for (const key of Object.keys(expected) as (keyof RewardSeries)[]) {
    expect(actual[key].length, key).toBe(expected[key].length);
    expected[key].forEach((v, i) => expect(Object.is(actual[key][i], v), `${key}[${i}]`).toBe(true));
  }
}

describe('reward series persistence', () => {
  const series = () => {
    const r = emptyRewards();
    appendReward(r, dpo(0, 'train', 0));
    appendReward(r, dpo(0, 'dev', 0));
    appendReward(r, dpo(1, 'train', 0.02));
    appendReward(r, dpo(1, 'dev', -0.01));
    return r;
  };

  it('survives IndexedDB (structured clone) with its NaN columns', () => {
    const r = series();
    const back = structuredClone(storedRun(r));
    expectSameSeries(rewardsFrom(back.rewards), r);
  });

  it('survives a run file: exported NaN (null in JSON) comes back as NaN', async () => {
    const r = series();
    const file = exportRunFile(storedRun(r));
    expect(await file.text()).toContain('"rewardMean":[null,null,null,null]');
    const back = await importRunFile(file);
    expectSameSeries(rewardsFrom(back.rewards), r);
    expect(back.record).toEqual(recordOf(back.meta.config));
  });

  it('loads runs saved before reward curves with an empty series', async () => {
    const old = storedRun(undefined);
    expect(old.rewards).toBeUndefined();
    expectSameSeries(rewardsFrom(structuredClone(old).rewards), emptyRewards());
    const back = await importRunFile(exportRunFile(old));
    expectSameSeries(rewardsFrom(back.rewards), emptyRewards());
    // A truncated or hand-edited file: missing columns read as NaN, never as a shorter column.
    const partial = rewardsFrom({ step: [1, 2], split: ['rollout', 'rollout'], rewardMean: [0.5] });
    expect(partial.rewardMean[0]).toBe(0.5);
    expect(partial.rewardMean[1]).toBeNaN();
    expect(lengths(partial)).toEqual(new Set([2]));
  });
});

describe('reward chart lines', () => {
  it('draws one split of a column, skipping NaN, and the ZOPrO band as mean ± std', () => {
    const r = emptyRewards();
    appendReward(r, dpo(0, 'train', 0.1));
    appendReward(r, dpo(0, 'dev', 0.2));
    appendReward(r, dpo(1, 'train', 0.3));
    const run = { meta: storedRun(r).meta, steps: emptySteps(), evals: emptyEvals(), rewards: r, recordStep: 0, version: 1 } as RunView;
    expect(rewardPoints(run, 'train', 'margin')).toEqual([{ x: 0, y: 0.1 }, { x: 1, y: 0.3 }]);
    expect(rewardPoints(run, 'dev', 'margin')).toEqual([{ x: 0, y: 0.2 }]);
    expect(rewardPoints(run, 'train', 'kl')).toEqual([]);
    const z = emptyRewards();
    appendReward(z, zopro(1, 0.5));
    appendReward(z, zopro(2, 0.7));
    const zrun = { ...run, rewards: z };
    const upper = rewardPoints(zrun, 'rollout', 'rewardMean+std').map((p) => p.y);
    const lower = rewardPoints(zrun, 'rollout', 'rewardMean-std').map((p) => p.y);
    [0.6, 0.8].forEach((y, i) => expect(upper[i]).toBeCloseTo(y, 12));
    [0.4, 0.6].forEach((y, i) => expect(lower[i]).toBeCloseTo(y, 12));
    // Cached per version: a grown series shows once the run's version moves on.
    expect(rewardPoints(zrun, 'rollout', 'rewardMean')).toHaveLength(2);
    appendReward(z, zopro(3, 0.9));
    expect(rewardPoints(zrun, 'rollout', 'rewardMean')).toHaveLength(2);
    expect(rewardPoints({ ...zrun, version: 2 }, 'rollout', 'rewardMean')).toHaveLength(3);
  });
});
