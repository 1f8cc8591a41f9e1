// The top bar: name, the adapter in use, a one-click demo with its launch progress, the
// presentation layout toggle, and the colour theme.
import { applyPreset, startRun } from '../store/training/actions';
import { setModelField } from '../store/model/actions';
import { selectTask } from '../store/task/actions';
import { DEFAULT_TASK } from '../store/defaults';
import { useStudio, getState } from '../store/state';
import { LaunchProgress } from './training/LaunchProgress';

async function oneClickDemo(): Promise<void> {
  const s = getState();
  if (s.sourceKind !== 'demo') {
    setModelField('sourceKind', 'demo');
    useStudio.setState({ modelStatus: 'idle' });
  }
  if (!s.parsed || s.upload || s.taskChoice !== DEFAULT_TASK) await selectTask(DEFAULT_TASK);
  applyPreset('Quick demo');
  await startRun();
}

/** Switches the presentation layout, keeping ?present=1 in the address so a reload keeps it. */
export function setPresentation(on: boolean): void {
  useStudio.setState({ presentation: on });
  const url = new URL(location.href);
  if (on) url.searchParams.set('present', '1');
  else url.searchParams.delete('present');
  history.replaceState(history.state, '', url);
}

/** The one-click demo: the demo model, the demo task, the Quick demo preset, start. */
export function DemoButton() {
  const engineStatus = useStudio((s) => s.engineStatus);
  const running = useStudio((s) => (s.activeRunId ? s.runs[s.activeRunId]?.meta.state === 'running' : false));
  const busy = useStudio((s) => s.modelStatus === 'loading' || s.launch !== null);
  return (
    <button type="button" className="primary big" disabled={engineStatus !== 'ready' || running || busy} onClick={() => void oneClickDemo()}>
      ▶ Train the demo
    </button>
  );
}

export function Header() {
  const adapter = useStudio((s) => s.adapter);
  const engineStatus = useStudio((s) => s.engineStatus);
  const theme = useStudio((s) => s.theme);
  const name = adapter ? [adapter.adapter.vendor, adapter.adapter.architecture, adapter.adapter.description].filter(Boolean).join(' · ') || 'unnamed adapter' : null;
  const features = adapter ? Object.entries(adapter.features).filter(([, on]) => on).map(([f]) => f) : [];
  return (
    <header className="top">
      <div className="brand">
        <h1>ZO Studio</h1>
        <p>Fine-tune a language model in your browser with zeroth-order optimization (MeZO) on WebGPU.</p>
      </div>
      <div className="top-actions">
        <div className="adapter" data-testid="adapter" aria-live="polite">
          {engineStatus === 'ready' && name ? (
            <>
              <span className="adapter-name">GPU: {name}</span>
              <small>
                {adapter!.adapter.isSoftware ? 'software emulation (slow) · ' : ''}
                {features.length ? features.join(', ') : 'no optional features'}
              </small>
            </>
          ) : engineStatus === 'starting' || engineStatus === 'checking' ? (
            <span>Starting the GPU engine…</span>
          ) : null}
        </div>
        <div className="demo-launch">
          <DemoButton />
          <LaunchProgress testId="launch-progress" />
        </div>
        <button type="button" onClick={() => setPresentation(true)} title="Charts, a large step counter and the run buttons on one screen, in large type (or open the app with ?present=1)">
          Presentation view
        </button>
        <label className="theme">
          Theme{' '}
          <select value={theme} onChange={(e) => useStudio.setState({ theme: e.target.value as 'system' | 'light' | 'dark' })}>
            <option value="system">system</option>
            <option value="light">light</option>
            <option value="dark">dark</option>
          </select>
        </label>
      </div>
    </header>
  );
}
