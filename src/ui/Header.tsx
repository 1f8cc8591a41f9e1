// The top bar: name, the adapter in use, a one-click demo, and the colour theme.
import { applyPreset, startRun } from '../store/actions/training';
import { setModelField } from '../store/actions/model';
import { selectTask } from '../store/actions/task';
import { DEFAULT_TASK } from '../store/defaults';
import { useStudio, getState } from '../store/state';

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

export function Header() {
  const adapter = useStudio((s) => s.adapter);
  const engineStatus = useStudio((s) => s.engineStatus);
  const theme = useStudio((s) => s.theme);
  const running = useStudio((s) => (s.activeRunId ? s.runs[s.activeRunId]?.meta.state === 'running' : false));
  const busy = useStudio((s) => s.modelStatus === 'loading');
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
        <button type="button" className="primary big" disabled={engineStatus !== 'ready' || running || busy} onClick={() => void oneClickDemo()}>
          ▶ Train the demo
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
