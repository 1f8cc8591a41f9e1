// Endpoint settings: any OpenAI-compatible chat-completions API. The key is a password field
// held in memory; "remember on this device" is the only way it is ever stored.
import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useRephrase, type ConnectionState } from '../../store/rephrase/slice';
import { setSetting, testEndpoints } from '../../store/rephrase/settings';
import { TextField } from '../Fields';

function ConnectionResult({ label, conn }: { label: string; conn: ConnectionState }) {
  if (conn.state === 'idle') return null;
  return (
    <div role="status" aria-label={label} className={`conn ${conn.state === 'ok' ? 'ok' : ''}`}>
      {conn.state === 'testing' && 'Testing…'}
      {conn.state === 'ok' && `Connected to ${conn.target}: it answered “${conn.reply.slice(0, 60)}” in ${conn.latencyMs} ms.`}
      {conn.state === 'error' && (
        <div className="error-box" role="alert">
          <p>
            {conn.kind === 'cors' ? 'Blocked by the browser (CORS). ' : conn.kind === 'refused' ? 'No server answers. ' : ''}
            {conn.message}
          </p>
        </div>
      )}
    </div>
  );
}

export function EndpointSettings({ disabled }: { disabled: boolean }) {
  const id = useId();
  const s = useRephrase(useShallow((st) => ({ settings: st.settings, connection: st.connection, judgeConnection: st.judgeConnection })));
  const set = s.settings;
  return (
    <fieldset className="plain" disabled={disabled}>
      <p className="hint">
        Any OpenAI-compatible chat-completions API: OpenAI <code>https://api.openai.com/v1</code>, OpenRouter, a local Ollama <code>http://localhost:11434/v1</code>, LM Studio, vLLM or
        llama.cpp. The key is sent only to this endpoint.
      </p>
      <div className="grid2">
        <TextField label="Base URL" value={set.baseUrl} placeholder="https://api.openai.com/v1" onChange={(v) => setSetting('baseUrl', v)} />
        <TextField label="Model" value={set.model} placeholder="gpt-4o-mini, llama3.2, …" onChange={(v) => setSetting('model', v)} />
      </div>
      <TextField label="API key" type="password" value={set.apiKey} placeholder="empty for a local server" autoComplete="new-password" onChange={(v) => setSetting('apiKey', v)} />
      <label className="check" htmlFor={`${id}-remember`}>
        <input id={`${id}-remember`} type="checkbox" checked={set.remember} onChange={(e) => setSetting('remember', e.target.checked)} />
        Remember on this device
      </label>
      <p className="hint">{set.remember ? 'Keys are saved in this browser’s storage for this site until you untick this.' : 'Keys stay in memory: a reload forgets them.'}</p>
      <details>
        <summary>Separate judge (optional)</summary>
        <div className="grid2">
          <TextField label="Judge base URL" value={set.judgeBaseUrl} placeholder="same as the rewriter" onChange={(v) => setSetting('judgeBaseUrl', v)} />
          <TextField label="Judge model" value={set.judgeModel} placeholder="same as the rewriter" onChange={(v) => setSetting('judgeModel', v)} />
        </div>
        {set.judgeBaseUrl.trim() !== '' && set.judgeBaseUrl.trim() !== set.baseUrl.trim() && (
          <TextField label="Judge API key" type="password" value={set.judgeApiKey} autoComplete="new-password" onChange={(v) => setSetting('judgeApiKey', v)} />
        )}
      </details>
      <div className="button-row">
        <button type="button" disabled={s.connection.state === 'testing'} onClick={() => void testEndpoints()}>
          Test connection
        </button>
      </div>
      <ConnectionResult label="Connection result" conn={s.connection} />
      <ConnectionResult label="Judge connection result" conn={s.judgeConnection} />
    </fieldset>
  );
}
