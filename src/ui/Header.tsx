// The top bar: name, the backend and adapter in use (on the CPU: why, and the speed to expect),
// the backend setting, a one-click demo with its launch progress, the
// presentation layout toggle, and the colour theme.
import { applyPreset, startRun } from '../store/training/actions';
import { setBackendChoice, setModelField } from '../store/model/actions';
import { BACKEND_CHOICES, type BackendChoice } from '../engine/config/options';
import type { AdapterReport } from '../engine/api';
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

const BACKEND_LABELS: Record<BackendChoice, string> = { auto: 'automatic', webgpu: 'WebGPU', cpu: 'CPU' };

/** Where the kernels run: automatic (WebGPU when there is an adapter, else CPU), or one of them. */
function BackendSetting() {
  const choice = useStudio((s) => s.backendChoice);
  const busy = useStudio((s) => s.modelStatus === 'loading' || s.launch !== null || (s.activeRunId ? s.runs[s.activeRunId]?.meta.state === 'running' : false));
  return (
    <label className="theme" title="Automatic uses WebGPU when the browser gives an adapter, else the CPU. Switching restarts the engine; the model loads again.">
      Backend{' '}
      <select value={choice} disabled={busy} onChange={(e) => void setBackendChoice(e.target.value as BackendChoice)}>
        {BACKEND_CHOICES.map((c) => (
          <option key={c} value={c}>
            {BACKEND_LABELS[c]}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The CPU backend's line: what runs, why, and the forward speed measured on the loaded model. */
function CpuBackendLine({ adapter, tokensPerSecond }: { adapter: AdapterReport; tokensPerSecond?: number }) {
  return (
    <>
      <span className="adapter-name">CPU backend: {adapter.adapter.description}</span>
      <small>
        {adapter.backendReason} ·{' '}
        {tokensPerSecond
          ? `expect about ${Math.round(tokensPerSecond).toLocaleString('en-US')} tokens/s forward on this model (a training step runs two forwards per example)`
          : 'slower than a GPU; the speed measured on the model shows here once it loads'}
      </small>
    </>
  );
}

export function Header() {
  const adapter = useStudio((s) => s.adapter);
  const engineStatus = useStudio((s) => s.engineStatus);
  const theme = useStudio((s) => s.theme);
  const tokensPerSecond = useStudio((s) => s.summary?.forwardTokensPerSecond);
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
          {engineStatus === 'ready' && adapter?.backend === 'cpu' ? (
            <CpuBackendLine adapter={adapter} tokensPerSecond={tokensPerSecond} />
          ) : engineStatus === 'ready' && name ? (
            <>
              <span className="adapter-name">GPU: {name}</span>
              <small>
                {adapter!.adapter.isSoftware ? 'software emulation (slow) · ' : ''}
                {features.length ? features.join(', ') : 'no optional features'}
              </small>
            </>
          ) : engineStatus === 'starting' || engineStatus === 'checking' ? (
            <span>Starting the engine…</span>
          ) : null}
        </div>
        <div className="demo-launch">
          <DemoButton />
          <LaunchProgress testId="launch-progress" />
        </div>
        <button type="button" onClick={() => setPresentation(true)} title="Charts, a large step counter and the run buttons on one screen, in large type (or open the app with ?present=1)">
          Presentation view
        </button>
        <BackendSetting />
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
