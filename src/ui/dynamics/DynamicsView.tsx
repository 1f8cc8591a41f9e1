// "What is ZO doing?": the two losses each step measures, how the projected gradients spread,
// the loss along the current direction, one step slowed down, and where the GPU memory goes.
import { Panel } from '../Fields';
import { SeriesChart } from '../charts/SeriesChart';
import { stepPoints, useVisibleRuns } from '../charts/chartData';
import { DirectionProbe } from './DirectionProbe';
import { GradHistogram } from './GradHistogram';
import { MemoryBars } from './MemoryBars';
import { StepTimeline } from './StepTimeline';

export function DynamicsView() {
  const run = useVisibleRuns(4)[0];
  const histogramRun = useVisibleRuns(5)[0];
  return (
    <Panel title="Zeroth-order dynamics">
      <p className="explain">
        MeZO never computes a gradient by backpropagation. Each step it nudges every trainable weight along a random direction z, once forward (+ε) and once back (−ε), and
        measures the loss both times. The difference of the two losses says how steep the loss is along z; the step moves the weights along z by that much. Memory stays
        close to inference, because nothing but the weights and one forward pass is ever held.
      </p>
      <StepTimeline />
      <div className="chart-grid">
        <SeriesChart
          title="L₊ and L₋ per step"
          testId="lpm-chart"
          series={
            run
              ? [
                  { name: 'L₊ = L(θ + εz)', color: '#dc2626', points: stepPoints(run, 'lossPlus'), width: 1.5 },
                  { name: 'L₋ = L(θ − εz)', color: '#2563eb', points: stepPoints(run, 'lossMinus'), width: 1.5 },
                ]
              : []
          }
          empty="Start a run to see both losses of every step."
        />
        <GradHistogram run={histogramRun} />
      </div>
      <p className="explain">
        ε is tiny, so L₊ and L₋ differ only slightly, and that small difference is the whole training signal. The caption under the histogram says how this run's projected
        gradients are spread.
      </p>
      <DirectionProbe />
      <MemoryBars />
    </Panel>
  );
}
