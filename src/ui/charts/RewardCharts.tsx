// Preference-run curves, streamed next to the loss chart. ZO-DPO (at each evaluation, on a fixed
// train subset and the eval split): reward accuracy with the task's accuracy, and the implicit
// reward margin. ZOPrO (every step, on that step's rollouts): reward mean ± one standard
// deviation, and the KL to the start model. Only runs of the leading run's objective are drawn.
import { SeriesChart, type ChartSeries, type ChartSize } from './SeriesChart';
import { rewardPoints, runColor, shortName, useVisibleRuns, type RewardLine } from './chartData';
import type { RunView } from '../../store/runs/slice';

const PERCENT: [number, number] = [0, 100];
/** One run's lines, told apart by dash when several runs share the chart (colour = run). */
const DASHES = [undefined, '6 4', '2 3'];

interface LineSpec {
  label: string;
  split: (run: RunView) => string;
  line: RewardLine;
  width?: number;
  opacity?: number;
  /** The line's own dash when the run's lines share a colour (the ±std band edges). */
  dash?: string;
}

const trainSplit = () => 'train';
const evalSplit = (run: RunView) => run.meta.config.evalSplit;
const rollout = () => 'rollout';

/**
 * The chart's series for every run of `objective`. Alone, a run's lines take the run palette
 * in turn (colour = line); compared, colour is the run and dash the line.
 */
function rewardSeries(runs: RunView[], objective: 'dpo' | 'zopro', lines: LineSpec[], dots: boolean, sameColor = false): ChartSeries[] {
  const mine = runs.filter((run) => run.meta.config.objective === objective);
  return mine.flatMap((run, r) =>
    lines.map((spec, l) => ({
      name: mine.length > 1 ? `${shortName(run)} · ${spec.label}` : spec.label,
      color: runColor(mine.length > 1 || sameColor ? r : l),
      dash: mine.length > 1 && !sameColor ? DASHES[l % DASHES.length] : spec.dash,
      points: rewardPoints(run, spec.split(run), spec.line),
      width: spec.width,
      opacity: spec.opacity,
      dots,
    })),
  );
}

function DpoCharts({ height = 260, big }: ChartSize) {
  const accuracyRuns = useVisibleRuns(1);
  const marginRuns = useVisibleRuns(4);
  const empty = 'Measured at each evaluation (every “eval every” steps).';
  const dev = (runs: RunView[]) => (runs[0] ? evalSplit(runs[0]) : 'dev');
  return (
    <>
      <SeriesChart
        title="Reward accuracy"
        testId="reward-chart"
        series={rewardSeries(accuracyRuns, 'dpo', [
          { label: 'train', split: trainSplit, line: 'rewardAccuracy' },
          { label: dev(accuracyRuns), split: evalSplit, line: 'rewardAccuracy' },
          { label: `task accuracy (${dev(accuracyRuns)})`, split: evalSplit, line: 'accuracy', width: 1.5 },
        ], true)}
        yDomain={PERCENT}
        unit="%"
        height={height}
        big={big}
        empty={empty}
      />
      {!big && (
        <SeriesChart
          title="Implicit reward margin"
          testId="margin-chart"
          series={rewardSeries(marginRuns, 'dpo', [
            { label: 'train', split: trainSplit, line: 'margin' },
            { label: dev(marginRuns), split: evalSplit, line: 'margin' },
          ], true)}
          empty={empty}
        />
      )}
    </>
  );
}

function ZoproCharts({ height = 260, big }: ChartSize) {
  const rewardRuns = useVisibleRuns(1);
  const klRuns = useVisibleRuns(4);
  const empty = 'Waiting for the first step…';
  return (
    <>
      <SeriesChart
        title="Reward (rollout mean ± std)"
        testId="reward-chart"
        // The band's edges share the run's colour, thin and dashed: the solid mean is the curve to read.
        series={rewardSeries(rewardRuns, 'zopro', [
          { label: 'mean', split: rollout, line: 'rewardMean', width: 3 },
          { label: 'mean + std', split: rollout, line: 'rewardMean+std', width: 1.5, opacity: 0.6, dash: '6 4' },
          { label: 'mean − std', split: rollout, line: 'rewardMean-std', width: 1.5, opacity: 0.6, dash: '2 3' },
        ], false, true)}
        height={height}
        big={big}
        empty={empty}
      />
      {!big && (
        <>
          <SeriesChart
            title="KL to the start model"
            testId="kl-chart"
            series={rewardSeries(klRuns, 'zopro', [{ label: 'KL per token', split: rollout, line: 'kl' }], false, true)}
            // Full mode moves the start model's own weights: no frozen copy to measure against.
            empty={klRuns[0]?.meta.config.mode === 'full' ? 'Full mode keeps no start model to compare with: use LoRA or sparse.' : empty}
          />
          <p className="explain chart-note" data-testid="zopro-note">
            Reading these: the ZOPrO training loss is a policy-gradient surrogate (−advantage × log-probability, plus the KL penalty) on each step's fresh samples. Its
            advantages average zero, so its level is not a score and it may climb while the reward rises: read the reward. The KL is the plain (k1) estimate, the mean of
            log π − log π_start over the step's own samples: unbiased but noisy, so a step can dip below 0 while the true KL never does.
          </p>
        </>
      )}
    </>
  );
}

/** The reward charts of the leading run's preference objective; the presentation layout (big) shows only the first. */
export function RewardCharts({ objective, height, big }: { objective: 'dpo' | 'zopro' } & ChartSize) {
  return objective === 'dpo' ? <DpoCharts height={height} big={big} /> : <ZoproCharts height={height} big={big} />;
}
