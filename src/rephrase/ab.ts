// The A/B comparison of OAT-Rephrase: two runs that differ only in their task (original vs
// rephrased), with identical seeds and settings, so their curves and dev accuracies compare.
import type { TrainConfig } from '../engine/api';

export interface AbRun<TaskRef> {
  arm: 'original' | 'rephrased';
  runId: string;
  task: TaskRef;
  config: TrainConfig;
}

/** Two run descriptions with deep-copied, identical configs; the evaluation split is the same. */
export function abRunConfigs<TaskRef>(config: TrainConfig, tasks: { original: TaskRef; rephrased: TaskRef }, runIdPrefix = 'ab'): [AbRun<TaskRef>, AbRun<TaskRef>] {
  return [
    { arm: 'original', runId: `${runIdPrefix}-original`, task: tasks.original, config: structuredClone(config) },
    { arm: 'rephrased', runId: `${runIdPrefix}-rephrased`, task: tasks.rephrased, config: structuredClone(config) },
  ];
}
