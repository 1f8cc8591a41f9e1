// Training charts: loss (raw and smoothed), projected gradient, dev accuracy, learning rate.
// The active run is drawn first; runs ticked in the runs list overlay it.
import { SeriesChart, type ChartSeries } from './SeriesChart';
import { evalPoints, runColor, shortName, stepPoints, useVisibleRuns } from './chartData';
import { Panel } from '../Fields';

export function Charts() {
  const runs = useVisibleRuns();
  const loss: ChartSeries[] = [];
  runs.forEach((run, i) => {
    if (i === 0) loss.push({ name: `${shortName(run)} (raw)`, color: runColor(i), points: stepPoints(run, 'loss'), width: 1, opacity: 0.35 });
    loss.push({ name: runs.length > 1 ? shortName(run) : 'smoothed', color: runColor(i), points: stepPoints(run, 'smoothed'), width: 2.5 });
  });
  const each = (pick: (i: number) => ChartSeries) => runs.map((_, i) => pick(i));
  const empty = runs.length ? 'Waiting for the first step…' : 'Start a run to see its curves here.';
  return (
    <Panel title="Training curves">
      <div className="chart-grid">
        <SeriesChart title="Training loss" testId="loss-chart" series={loss} height={260} empty={empty} />
        <SeriesChart
          title="Dev accuracy"
          testId="accuracy-chart"
          series={each((i) => ({ name: shortName(runs[i]), color: runColor(i), points: evalPoints(runs[i]), dots: true }))}
          yDomain={[0, 1]}
          empty={runs.length ? 'Measured every “evaluate every” steps, or with Evaluate now.' : empty}
        />
        <SeriesChart
          title="Projected gradient (L₊ − L₋) / 2ε"
          testId="grad-chart"
          series={each((i) => ({ name: shortName(runs[i]), color: runColor(i), points: stepPoints(runs[i], 'projectedGrad'), width: 1 }))}
          empty={empty}
        />
        <SeriesChart
          title="Learning rate"
          testId="lr-chart"
          series={each((i) => ({ name: shortName(runs[i]), color: runColor(i), points: stepPoints(runs[i], 'lr') }))}
          empty={empty}
        />
      </div>
    </Panel>
  );
}
