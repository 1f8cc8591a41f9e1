// The query: a dev row (shown with its text and answer) or a typed prompt with its answer (on a
// classification task one of the label words), and how many directions and rows to use.
import { useId } from 'react';
import { setInfluenceField } from '../../store/influence/actions';
import { useInfluence } from '../../store/influence/slice';
import { useStudio } from '../../store/state';
import { NumberField, SelectField } from '../Fields';
import { rowAnswer, rowText } from '../task/rowText';

export function QueryPicker({ disabled }: { disabled: boolean }) {
  const promptId = useId();
  const answerId = useId();
  const parsed = useStudio((s) => s.parsed);
  const q = useInfluence();
  const dev = parsed?.splits.dev ?? [];
  const devRow = dev[q.devRow];
  const labelWords = parsed?.spec.type === 'classification' ? (parsed.spec.label_words ?? []) : null;
  return (
    <div className="influence-query">
      <SelectField<'dev' | 'text'>
        label="Query"
        value={q.queryKind}
        disabled={disabled}
        options={[
          { value: 'dev', label: 'A dev row' },
          { value: 'text', label: 'A prompt and answer I type' },
        ]}
        onChange={(v) => setInfluenceField('queryKind', v)}
      />
      {q.queryKind === 'dev' ? (
        <>
          <NumberField label="Dev row" value={q.devRow} integer min={0} max={Math.max(0, dev.length - 1)} disabled={disabled} onChange={(v) => setInfluenceField('devRow', v)} />
          {devRow && parsed && (
            <p className="influence-query-row" data-testid="influence-query-row">
              {rowText(parsed.spec, devRow)} <strong>→ {rowAnswer(parsed.spec, devRow)}</strong>
            </p>
          )}
        </>
      ) : (
        <>
          <div className="field">
            <label htmlFor={promptId}>Prompt</label>
            <textarea id={promptId} rows={2} value={q.prompt} disabled={disabled} spellCheck={false} onChange={(e) => setInfluenceField('prompt', e.target.value)} />
          </div>
          {labelWords ? (
            <SelectField
              label="Answer"
              value={q.answer}
              disabled={disabled}
              options={[{ value: '', label: 'Pick a label' }, ...labelWords.map((w, i) => ({ value: w, label: parsed?.spec.labels?.[i] ?? w.trim() }))]}
              onChange={(v) => setInfluenceField('answer', v)}
            />
          ) : (
            <div className="field">
              <label htmlFor={answerId}>Answer</label>
              <input id={answerId} value={q.answer} disabled={disabled} spellCheck={false} onChange={(e) => setInfluenceField('answer', e.target.value)} />
            </div>
          )}
        </>
      )}
      <div className="influence-settings">
        <NumberField label="Directions (K)" value={q.k} integer min={1} max={4096} disabled={disabled} hint="More directions, closer to the exact gradient similarity (error about 1/√K)." onChange={(v) => setInfluenceField('k', v)} />
        <NumberField label="Rows listed" value={q.top} integer min={1} max={100} disabled={disabled} onChange={(v) => setInfluenceField('top', v)} />
      </div>
    </div>
  );
}
