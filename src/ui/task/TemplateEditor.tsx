// The prompt template with a live preview of one rendered row and its candidates. Tokens are
// shown on request, with the demo model's tokenizer (loaded in this page only when asked).
import { useId, useState } from 'react';
import { previewRow, promptText, tokenizerFromJson, type RowPreview, type Tokenizer } from '../../engine/data';
import { setTemplate } from '../../store/task/template';
import { useStudio } from '../../store/state';

let demoTokenizer: Promise<Tokenizer> | null = null;
function loadDemoTokenizer(): Promise<Tokenizer> {
  demoTokenizer ??= (async () => {
    const base = `${import.meta.env.BASE_URL}demo-model`;
    const [json, config] = await Promise.all([fetch(`${base}/tokenizer.json`).then((r) => r.json()), fetch(`${base}/tokenizer_config.json`).then((r) => r.json())]);
    return tokenizerFromJson(json as object, config as object);
  })();
  return demoTokenizer;
}

export function TemplateEditor() {
  const id = useId();
  const parsed = useStudio((s) => s.parsed);
  const template = useStudio((s) => s.template);
  const demoModel = useStudio((s) => s.sourceKind === 'demo');
  const [rowIndex, setRowIndex] = useState(0);
  const [tokens, setTokens] = useState<{ template: string; row: number; preview: RowPreview } | null>(null);
  const [tokenError, setTokenError] = useState<string | null>(null);
  const uploading = useStudio((s) => s.upload !== null);
  // Shown for an upload even with no valid task yet (a template typo): the template stays editable.
  if (!parsed && !uploading) return null;
  const rows = parsed?.splits.train ?? [];
  const row = rows[Math.min(rowIndex, rows.length - 1)];
  let rendered = '';
  let renderError: string | null = null;
  try {
    rendered = row && parsed ? promptText(parsed.spec, row) : '';
  } catch (e) {
    renderError = (e as Error).message;
  }
  const candidates = !parsed ? [] : parsed.spec.type === 'classification' ? (parsed.spec.label_words ?? []) : row ? [String(row.chosen ?? ''), String(row.rejected ?? '')] : [];
  const shownTokens = tokens && tokens.template === template && tokens.row === rowIndex ? tokens.preview : null;
  const showTokens = async () => {
    try {
      setTokenError(null);
      const tok = await loadDemoTokenizer();
      if (parsed && row) setTokens({ template, row: rowIndex, preview: previewRow(parsed.spec, row, tok) });
    } catch (e) {
      setTokenError((e as Error).message);
    }
  };
  return (
    <div className="subpanel">
      <label htmlFor={id}>Prompt template</label>
      <textarea id={id} rows={2} value={template} spellCheck={false} onChange={(e) => setTemplate(e.target.value)} disabled={parsed?.spec.type === 'preference' && !!row?.prompt} />
      <small className="hint">
        {parsed?.spec.type === 'preference' ? 'Preference rows carry their own prompt.' : 'Write {field} for a row field, e.g. {text}.'}
      </small>
      <div className="preview" aria-label="Rendered prompt preview">
        <div className="preview-head">
          <span>Preview of train row {rowIndex + 1}</span>
          <button type="button" className="small" onClick={() => setRowIndex((i) => (rows.length ? (i + 1) % rows.length : 0))}>
            Next row
          </button>
        </div>
        {renderError ? <p className="field-error">{renderError}</p> : parsed ? <pre data-testid="prompt-preview">{rendered}</pre> : <p className="hint">No preview until the task is valid (see the message below).</p>}
        <p className="hint">
          Candidates: {candidates.map((c, i) => <code key={i}>{JSON.stringify(c)}</code>)}
        </p>
        {demoModel && parsed && !shownTokens && (
          <button type="button" className="small" onClick={() => void showTokens()}>
            Show tokens
          </button>
        )}
        {tokenError && <p className="field-error">{tokenError}</p>}
        {shownTokens && (
          <div className="tokens" aria-label="Prompt tokens">
            {shownTokens.promptTokens.map((t, i) => (
              <span key={i} className="token" title={`id ${t.id}`}>
                {t.text.replace(/\n/g, '⏎') || '∅'}
              </span>
            ))}
            {shownTokens.continuations.map((c, i) => (
              <div key={i} className={c.correct ? 'ok' : ''}>
                {JSON.stringify(c.text)} → {c.tokens.map((t) => `${JSON.stringify(t.text)} (${t.id})`).join(' ')} {c.correct ? '✓ correct' : ''}
              </div>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
