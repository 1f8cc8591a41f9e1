// Training charts: loss (raw and smoothed), projected gradient, dev accuracy, learning rate;
// preference runs (ZO-DPO, ZOPrO) show their reward curves next to the loss instead of dev
// accuracy (RewardCharts.tsx). The active run is drawn first; runs ticked in the runs list
// overlay it. Each chart takes new data in its own task (slot), so a batch of steps never
// redraws every chart in one task.
import { SeriesChart, type ChartSeries, type ChartSize } from './SeriesChart';
import { evalPoints, runColor, shortName, stepPoints, useRewardObjective, useVisibleRuns } from './chartData';
import { RewardCharts } from './RewardCharts';
import { Panel } from '../Fields';
import type { RunView } from '../../store/runs/slice';

const PERCENT: [number, number] = [0, 100];

function emptyText(runs: RunView[]): string {
  return runs.length ? 'Waiting for the first step…' : 'Start a run to see its curves here.';
}

export function LossChart({ height = 260, big }: ChartSize = {}) {
  const runs = useVisibleRuns(0);
  const zopro = runs[0]?.meta.config.objective === 'zopro';
  const loss: ChartSeries[] = [];
  runs.forEach((run, i) => {
    if (i === 0) loss.push({ name: runs.length > 1 ? `${shortName(run)} (raw)` : 'raw', color: runColor(i), points: stepPoints(run, 'loss'), width: 1, opacity: 0.35 });
    loss.push({ name: runs.length > 1 ? shortName(run) : 'smoothed', color: runColor(i), points: stepPoints(run, 'smoothed'), width: 2.5 });
  });
  return <SeriesChart title={zopro ? 'Training loss (policy-gradient surrogate)' : 'Training loss'} testId="loss-chart" series={loss} height={height} big={big} empty={emptyText(runs)} />;
}

export function AccuracyChart({ height = 260, big }: ChartSize = {}) {
  const runs = useVisibleRuns(1);
  return (
    <SeriesChart
      title="Dev accuracy"
      testId="accuracy-chart"
      series={runs.map((run, i) => ({ name: shortName(run), color: runColor(i), points: evalPoints(run), dots: true }))}
      yDomain={PERCENT}
      unit="%"
      height={height}
      big={big}
      empty={runs.length ? 'Measured every “evaluate every” steps, or with Evaluate now.' : emptyText(runs)}
    />
  );
}

function StepColumnChart({ slot, title, testId, column, width }: { slot: number; title: string; testId: string; column: 'projectedGrad' | 'lr'; width?: number }) {
  const runs = useVisibleRuns(slot);
  return (
    <SeriesChart
      title={title}
      testId={testId}
      series={runs.map((run, i) => ({ name: shortName(run), color: runColor(i), points: stepPoints(run, column), width }))}
      empty={emptyText(runs)}
    />
  );
}

export function Charts() {
  const rewardObjective = useRewardObjective();
  return (
    <Panel title="Training curves">
      <div className="chart-grid">
        <LossChart />
        {rewardObjective ? <RewardCharts objective={rewardObjective} /> : <AccuracyChart />}
        <StepColumnChart slot={2} title="Projected gradient (L₊ − L₋) / 2ε" testId="grad-chart" column="projectedGrad" width={1} />
        <StepColumnChart slot={3} title="Learning rate" testId="lr-chart" column="lr" />
      </div>
    </Panel>
  );
}
