// The presentation layout (a toggle, or ?present=1 in the URL): everything a demo on a projector
// needs on one screen at 1280x720, in type that reads from the back of a room: the loss and
// accuracy (or reward) charts, a large step counter with steps/s and time left, and Pause /
// Step once / Reset beside it; "Train the demo" and its launch progress at the top. A second
// screen (the Influence button, or ?screen=influence) shows the influence view with the task's rows.
import { useEffect, useState } from 'react';
import { pauseRun, resetRun, resumeBlocker, resumeRun, stepOnce } from '../../store/training/actions';
import { useStudio } from '../../store/state';
import { Banners } from '../Banners';
import { AccuracyChart, LossChart } from '../charts/Charts';
import { useRewardObjective } from '../charts/chartData';
import { RewardCharts } from '../charts/RewardCharts';
import { duration, num, percent } from '../format';
import { DemoButton, setPresentation } from '../Header';
import { InfluenceView } from '../influence/InfluenceView';
import { PanelBoundary } from '../PanelBoundary';
import { TaskRows } from '../task/TaskRows';
import { LaunchProgress } from '../training/LaunchProgress';
import { useRunStatus } from '../training/runStatus';

/** Chart height that leaves room for the top bar, any banner (measured) and the counter row in the window. */
function useChartHeight(banners: HTMLElement | null): number {
  const [height, setHeight] = useState(() => window.innerHeight);
  const [bannerHeight, setBannerHeight] = useState(0);
  useEffect(() => {
    const onResize = () => setHeight(window.innerHeight);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  useEffect(() => {
    if (!banners) return;
    const observer = new ResizeObserver(() => setBannerHeight(banners.getBoundingClientRect().height));
    observer.observe(banners);
    return () => observer.disconnect();
  }, [banners]);
  return Math.max(160, Math.min(560, height - 400 - bannerHeight));
}

function Counter() {
  const { run, state, running, step, total, stepsPerSecond, secondsLeft, lastLoss, lastAccuracy } = useRunStatus();
  const ready = useStudio((s) => s.engineStatus === 'ready' && !s.deviceLost && s.modelStatus !== 'loading');
  const busy = useStudio((s) => s.launch !== null);
  // Resume availability depends on the model (what resumeBlocker reads).
  useStudio((s) => s.modelStatus);
  const canResume = run && (state === 'paused' || state === 'stopped') && resumeBlocker(run.meta.id) === null;
  return (
    <div className="present-bar">
      <div className="present-counter" role="status" aria-label="Run status">
        <span className="present-step" data-testid="step-counter">
          step {step} / {total}
        </span>
        <span className="present-stats">
          <span>{stepsPerSecond ? `${num(stepsPerSecond, 3)} steps/s` : '— steps/s'}</span>
          <span>{running ? `${duration(secondsLeft)} left` : (state ?? 'no run yet')}</span>
          <span>loss {num(lastLoss)}</span>
          <span data-testid="dev-accuracy">dev acc {percent(lastAccuracy)}</span>
        </span>
      </div>
      <div className="present-buttons" role="group" aria-label="Run controls">
        {running ? (
          <button type="button" className="present-button" onClick={() => void pauseRun()}>
            Pause
          </button>
        ) : (
          <button type="button" className="present-button" disabled={!canResume || busy} onClick={() => run && void resumeRun(run.meta.id)}>
            Resume
          </button>
        )}
        <button type="button" className="present-button" disabled={!ready || running || busy} onClick={() => void stepOnce()}>
          Step once
        </button>
        <button type="button" className="present-button" disabled={!run && !busy} onClick={() => void resetRun()}>
          Reset
        </button>
      </div>
    </div>
  );
}

/** The influence view in large type, with the task's rows beside it for the rows it names. */
function PresentInfluence() {
  return (
    <main className="present-main present-influence">
      <PanelBoundary label="The influence view">
        <InfluenceView big />
      </PanelBoundary>
      <section className="panel">
        <TaskRows />
      </section>
    </main>
  );
}

export function PresentationView() {
  const [banners, setBanners] = useState<HTMLDivElement | null>(null);
  const [screen, setScreen] = useState<'training' | 'influence'>(() => (new URLSearchParams(location.search).get('screen') === 'influence' ? 'influence' : 'training'));
  const height = useChartHeight(banners);
  const rewardObjective = useRewardObjective();
  return (
    <div className="present" data-testid="presentation">
      <header className="present-top">
        <h1>ZO Studio</h1>
        <DemoButton />
        <LaunchProgress className="present-launch" testId="launch-progress" />
        <button type="button" className="present-screen" aria-pressed={screen === 'influence'} onClick={() => setScreen(screen === 'influence' ? 'training' : 'influence')}>
          {screen === 'influence' ? 'Training charts' : 'Influence'}
        </button>
        <button type="button" className="present-exit" onClick={() => setPresentation(false)}>
          Exit presentation
        </button>
      </header>
      <div ref={setBanners}>
        <Banners />
      </div>
      {screen === 'influence' ? (
        <PresentInfluence />
      ) : (
        <main className="present-main">
          <div className="present-charts">
            <LossChart height={height} big />
            {rewardObjective ? <RewardCharts objective={rewardObjective} height={height} big /> : <AccuracyChart height={height} big />}
          </div>
          <Counter />
        </main>
      )}
    </div>
  );
}
