// Chart data from the store: downsampled series per run, memoized on each run's version so a
// frame's batch of steps costs one LTTB pass per visible series.
import { useMemo } from 'react';
import { useStaggered } from './useStaggered';
import { MAX_CHART_POINTS } from '../../store/defaults';
import { lttb, type Point } from '../../store/downsample';
import { preferenceObjective } from '../../store/runTypes';
import type { RewardColumn, StepSeries } from '../../store/series';
import { useStudio } from '../../store/state';
import type { RunView } from '../../store/runs/slice';

export const RUN_COLORS = ['#2563eb', '#f97316', '#16a34a', '#db2777', '#7c3aed', '#0891b2', '#ca8a04'];

/**
 * The active run first, then the runs picked for comparison, as chart number `slot` sees them:
 * each chart picks up new data in its own task (useStaggered), so no task redraws them all.
 */
export function useVisibleRuns(slot = 0): RunView[] {
  const runs = useStudio((s) => s.runs);
  const active = useStudio((s) => s.activeRunId);
  const compare = useStudio((s) => s.compare);
  const visible = useMemo(() => {
    const ids = [...new Set([...(active ? [active] : []), ...compare])];
    return ids.map((id) => runs[id]).filter((r): r is RunView => !!r);
  }, [runs, active, compare]);
  return useStaggered(visible, slot);
}

const cache = new WeakMap<number[], { version: number; points: Point[] }>();

/**
 * One column of a run's steps, downsampled; cached per column array and run version. The
 * columns grow in place, so a chart still showing an older version (useStaggered) must get
 * the cached points of that version, not a fresh pass over the grown column: the version
 * alone decides.
 */
export function stepPoints(run: RunView, column: keyof StepSeries): Point[] {
  const ys = run.steps[column];
  const hit = cache.get(ys);
  if (hit && hit.version === run.version) return hit.points;
  const points = lttb(run.steps.step, ys, MAX_CHART_POINTS);
  cache.set(ys, { version: run.version, points });
  return points;
}

const evalCache = new WeakMap<number[], { version: number; length: number; points: Point[] }>();
/** Dev accuracy in percent: the charts show accuracies as % like the status line and the runs list. */
export function evalPoints(run: RunView): Point[] {
  const xs = run.evals.step;
  const hit = evalCache.get(xs);
  if (hit && (hit.version === run.version || hit.length === xs.length)) return hit.points;
  const points = xs.map((x, i) => ({ x, y: 100 * run.evals.accuracy[i] }));
  evalCache.set(xs, { version: run.version, length: xs.length, points });
  return points;
}

/** Reward columns that are fractions, drawn in percent as every accuracy in the app. */
const PERCENT_COLUMNS: ReadonlySet<string> = new Set(['rewardAccuracy', 'accuracy']);

/** A reward curve: one column, or the reward mean shifted by one standard deviation either way. */
export type RewardLine = RewardColumn | 'rewardMean+std' | 'rewardMean-std';

const rewardCache = new WeakMap<number[], Map<string, { version: number; points: Point[] }>>();

/**
 * One split's rows of a reward column, downsampled (ZOPrO writes one row per step, so a long
 * run has as many as its steps); rows where the line is undefined (NaN) are left out.
 * Cached per run version like stepPoints.
 */
export function rewardPoints(run: RunView, split: string, line: RewardLine): Point[] {
  const r = run.rewards;
  let byLine = rewardCache.get(r.step);
  if (!byLine) rewardCache.set(r.step, (byLine = new Map()));
  const key = `${split}\u0000${line}`;
  const hit = byLine.get(key);
  if (hit && hit.version === run.version) return hit.points;
  const scale = PERCENT_COLUMNS.has(line) ? 100 : 1;
  const y = (i: number) => (line === 'rewardMean+std' ? r.rewardMean[i] + r.rewardStd[i] : line === 'rewardMean-std' ? r.rewardMean[i] - r.rewardStd[i] : scale * r[line][i]);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < r.step.length; i++) {
    const v = y(i);
    if (r.split[i] === split && Number.isFinite(v)) {
      xs.push(r.step[i]);
      ys.push(v);
    }
  }
  const points = lttb(xs, ys, MAX_CHART_POINTS);
  byLine.set(key, { version: run.version, points });
  return points;
}

/** The preference objective of the run the charts lead with (the active run, else the first compared), or null. */
export function useRewardObjective(): 'dpo' | 'zopro' | null {
  return useStudio((s) => {
    const id = s.activeRunId ?? s.compare[0];
    const config = id ? s.runs[id]?.meta.config : undefined;
    return config && preferenceObjective(config) ? config.objective : null;
  });
}

export function runColor(index: number): string {
  return RUN_COLORS[index % RUN_COLORS.length];
}

export function shortName(run: RunView): string {
  return run.meta.name.length > 40 ? `${run.meta.name.slice(0, 38)}…` : run.meta.name;
}
