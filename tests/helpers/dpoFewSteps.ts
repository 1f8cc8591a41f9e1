// The ZO-DPO few-step check, written once for the two models it runs on: a tiny random model with
// the demo tokenizer in `npm test` (tests/preference/dpo.test.ts) and the demo model in
// `npm run test:experiments` (tests/experiments/dpoDemo.test.ts). On a slice of wn-define-pref
// (LoRA, fixed seed): at step 0 the policy is the reference, so every margin is 0 and the DPO loss
// is log 2; a few ZO steps on the same slice must lower the DPO loss on the train rows and move the
// mean margin above 0.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { testGpu } from './gpu';
import { DEMO_DATA } from './paths';
import { parseArgs } from '../../src/cli/args';
import { loadCliModel } from '../../src/cli/openModel';
import { readTaskDir } from '../../src/cli/taskArg';
import { Session } from '../../src/engine/session/session';
import { startRun } from '../../src/engine/session/startRun';
import { runLoop } from '../../src/engine/session/runLoop';
import type { EngineEvent, RewardMetrics, TrainConfig } from '../../src/engine/api';
import { dpoMetrics } from '../../src/engine/preference/dpo';

const io = { stdout: () => {}, stderr: () => {}, env: {} };

/** Declares the ZO-DPO suite on the model folder `modelDir()` gives (called once, before the tests). */
export function describeDpoFewSteps(modelDir: () => string): void {
  describe('ZO-DPO', () => {
    let session: Session;
    beforeAll(async () => {
      const ctx = await testGpu();
      session = new Session(ctx);
      session.setModel(await loadCliModel(ctx, parseArgs(['--model', modelDir()]), io));
      const task = await readTaskDir(join(DEMO_DATA, 'wn-define-pref'));
      task.splits = { train: task.splits.train.slice(0, 8), dev: task.splits.dev.slice(0, 8) };
      session.setTask(task);
    });

    it('dpoMetrics: margin, reward accuracy and the task accuracy', () => {
      const m = dpoMetrics(Float32Array.of(-1, -2, -3, -1), Float32Array.of(-1.5, -2, -3, -1.2), 2);
      expect(m.margin).toBeCloseTo((2 * 0.5 + 2 * -0.2) / 2, 6);
      expect(m.rewardAccuracy).toBe(0.5);
      expect(m.accuracy).toBe(0.5);
      expect(m.loss).toBeCloseTo((Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(0.4))) / 2, 6);
    });

    it('lowers the DPO loss on its train rows in a few LoRA steps', { timeout: 600_000 }, async () => {
      const config: TrainConfig = {
        mode: 'lora', optimizer: 'zo-sgd', objective: 'dpo', steps: 6, lr: 3e-2, eps: 1e-2, batch: 8, q: 1, seed: 1,
        weightDecay: 0, schedule: 'constant', clip: 0, oneSided: false, evalEvery: 6, evalSplit: 'dev', evalLimit: 8,
        lora: { rank: 8, alpha: 16, targets: ['q', 'v'] }, dpo: { beta: 2 },
      };
      const t0 = performance.now();
      const progress: [string, number, number][] = [];
      await startRun(session, config, undefined, { meta: { test: true }, onProgress: (phase, done, total) => progress.push([phase, done, total]) });
      // The reference scores are reported as they are computed: 8 train + 8 dev pairs, in chunks.
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.map((p) => p[2])).toEqual(progress.map(() => 16));
      expect(progress[progress.length - 1][1]).toBe(16);
      for (let i = 1; i < progress.length; i++) expect(progress[i][1]).toBeGreaterThan(progress[i - 1][1]);
      expect(progress[0][0]).toMatch(/start model/);
      console.log('start (references)', (performance.now() - t0).toFixed(0), 'ms');
      const rewards: RewardMetrics[] = [];
      const losses: number[] = [];
      const emit = (e: EngineEvent) => {
        if (e.kind === 'reward') rewards.push(e.metrics);
        if (e.kind === 'step') losses.push(e.metrics.loss);
      };
      await runLoop(session, 'dpo-test', { requested: 'none' }, { emit });
      console.log('total', (performance.now() - t0).toFixed(0), 'ms');
      const train = rewards.filter((r) => r.split === 'train');
      expect(train.map((r) => r.step)).toEqual([0, 6]);
      expect(train[0].loss).toBeCloseTo(Math.log(2), 5);
      expect(train[0].margin).toBeCloseTo(0, 5);
      console.log('ZO-DPO train', train, 'dev', rewards.filter((r) => r.split === 'dev'), 'step losses', losses);
      expect(train[1].loss).toBeLessThan(train[0].loss);
      expect(train[1].margin!).toBeGreaterThan(0);
    });
  });
}
