// "Try the model": type a prompt and sample a continuation with the weights the engine holds
// now: the base model before training, a run's trained weights once it is paused or finished.
// The continuation streams in token by token and is rendered as text, never as HTML.
import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../../store/state';
import { ErrorBox, NumberField, Panel } from '../Fields';
import { clearOutput, currentWeights, generateBlocker, generateNow, setGenerateField } from '../../store/generate/actions';
import { useGenerate } from '../../store/generate/slice';
import './generate.css';

export function GeneratePanel() {
  const promptId = useId();
  const studio = useStudio(
    useShallow((s) => ({
      engineStatus: s.engineStatus,
      deviceLost: s.deviceLost,
      modelStatus: s.modelStatus,
      activeRunId: s.activeRunId,
      runs: s.runs,
      evaluating: s.evaluating,
      summary: s.summary,
      heldRunId: s.heldRunId,
    })),
  );
  const g = useGenerate();
  const running = g.status === 'running';
  const blocker = generateBlocker(studio);
  const weights = running ? g.weights : currentWeights(studio);
  return (
    <Panel title="Try the model">
      <div className="generate">
        <div className="field">
          <label htmlFor={promptId}>Prompt to continue</label>
          <textarea id={promptId} rows={3} value={g.prompt} spellCheck={false} onChange={(e) => setGenerateField('prompt', e.target.value)} />
        </div>
        <div className="generate-settings">
          <NumberField label="Max new tokens" value={g.maxNewTokens} integer min={1} max={512} onChange={(v) => setGenerateField('maxNewTokens', v)} />
          <NumberField label="Temperature" value={g.temperature} min={0} max={5} hint="0 = always the likeliest token" onChange={(v) => setGenerateField('temperature', v)} />
          <NumberField label="Top-p" value={g.topP} min={0.01} max={1} onChange={(v) => setGenerateField('topP', v)} />
          <NumberField label="Sampling seed" value={g.seed} integer min={0} onChange={(v) => setGenerateField('seed', v)} />
        </div>
        <div className="button-row">
          <button type="button" className="primary" disabled={running || blocker !== null || g.prompt.trim() === ''} onClick={() => void generateNow()}>
            {running ? 'Generating…' : 'Generate'}
          </button>
          <button type="button" disabled={running || (g.output === '' && g.status === 'idle')} onClick={clearOutput}>
            Clear output
          </button>
        </div>
        {blocker && !running && <p className="hint generate-blocker">{blocker}</p>}
        {running && <p className="hint">The engine finishes the whole request (up to {g.maxNewTokens} tokens) before it takes other work.</p>}
        <p className="hint" data-testid="generate-weights">
          {running ? 'Sampling from' : 'Generate samples from'}: {weights}
        </p>
        {(g.status !== 'idle' || g.output) && g.status !== 'error' && (
          <div className="generate-output" aria-live="polite" aria-busy={running}>
            <pre data-testid="generated-output">
              <span className="generate-prompt">{g.shownPrompt}</span>
              <span data-testid="generated-text">{g.output}</span>
              {running && <span className="generate-caret" aria-hidden="true">▍</span>}
            </pre>
            <small className="hint" data-testid="generate-status">
              {running ? `${g.tokens} token${g.tokens === 1 ? '' : 's'}…` : g.finish === 'stop' ? 'ended at the end-of-text token' : g.finish === 'length' ? `stopped at ${g.tokens} new tokens` : ''}
              {!running && g.weights ? ` · from ${g.weights}` : ''}
            </small>
          </div>
        )}
        <ErrorBox error={g.status === 'error' ? g.error : null} />
      </div>
    </Panel>
  );
}
