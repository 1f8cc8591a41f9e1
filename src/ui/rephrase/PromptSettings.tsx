// The rewriter and judge prompt templates (editable, with their variables), the gate's mode,
// concurrency and the row limit.
import { useId } from 'react';
import { DEFAULT_JUDGE_TEMPLATE, DEFAULT_REWRITER_TEMPLATE, unknownVariables } from '../../rephrase';
import { useRephrase, type RephraseSettings } from '../../store/rephrase/slice';
import { setSetting } from '../../store/rephrase/settings';
import { NumberField, SelectField } from '../Fields';

const VARIABLES: Record<string, string> = {
  task_description: 'the task’s description',
  prompt_template: 'the training prompt template',
  label_words: 'the candidate label words',
  label: 'this row’s label word',
  fields: 'the field names rewritten',
  example: 'this row’s fields as JSON',
  rewrite: 'the rewrite as JSON (judge only)',
};

function TemplateField({ label, field, fallback }: { label: string; field: 'rewriterTemplate' | 'judgeTemplate'; fallback: string }) {
  const id = useId();
  const value = useRephrase((s) => s.settings[field]);
  const unknown = unknownVariables(value);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} value={value} spellCheck={false} aria-describedby={`${id}-vars`} onChange={(e) => setSetting(field, e.target.value)} />
      <small id={`${id}-vars`} className={unknown.length ? 'field-error' : 'hint'}>
        {unknown.length ? `Unknown variables: ${unknown.map((v) => `{${v}}`).join(', ')}` : 'Variables are replaced per row; other braces stay as written.'}
      </small>
      {value !== fallback && (
        <button type="button" className="small" onClick={() => setSetting(field, fallback)}>
          Reset {label.toLowerCase()}
        </button>
      )}
    </div>
  );
}

export function PromptSettings({ disabled }: { disabled: boolean }) {
  const mode = useRephrase((s) => s.settings.mode);
  const concurrency = useRephrase((s) => s.settings.concurrency);
  const limit = useRephrase((s) => s.settings.limit);
  return (
    <fieldset className="plain" disabled={disabled}>
      <div className="grid3">
        <SelectField<RephraseSettings['mode']>
          label="Rephrase mode"
          value={mode}
          options={[
            { value: 'replace', label: 'Replace originals' },
            { value: 'augment', label: 'Augment (add rewrites)' },
          ]}
          onChange={(v) => setSetting('mode', v)}
        />
        <NumberField label="Concurrency" value={concurrency} integer min={1} max={64} hint="requests at once" onChange={(v) => setSetting('concurrency', v)} />
        <NumberField label="Row limit" value={limit} integer min={0} hint="train rows; 0 = all" onChange={(v) => setSetting('limit', v)} />
      </div>
      <details>
        <summary>Prompt templates</summary>
        <ul className="vars" aria-label="Template variables">
          {Object.entries(VARIABLES).map(([name, what]) => (
            <li key={name} title={what}>
              <code>{`{${name}}`}</code>
              <span className="hint">{what}</span>
            </li>
          ))}
        </ul>
        <TemplateField label="Rewriter prompt" field="rewriterTemplate" fallback={DEFAULT_REWRITER_TEMPLATE} />
        <TemplateField label="Judge prompt" field="judgeTemplate" fallback={DEFAULT_JUDGE_TEMPLATE} />
      </details>
    </fieldset>
  );
}
