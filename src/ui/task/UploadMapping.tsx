// Column mapping for an uploaded file: which column is the input text, which the label (or the
// prompt / chosen / rejected of a preference pair), and the label words the model scores.
import { updateUpload } from '../../store/task/upload';
import { useStudio } from '../../store/state';
import { SelectField, TextField } from '../Fields';

const FIELDS = { classification: ['text', 'label'], preference: ['prompt', 'chosen', 'rejected'] } as const;

export function UploadMapping() {
  const upload = useStudio((s) => s.upload);
  if (!upload) return null;
  const columnFor = (field: string) => Object.entries(upload.mapping).find(([, f]) => f === field)?.[0] ?? '';
  const setColumn = (field: string, column: string) => {
    const mapping = Object.fromEntries(Object.entries(upload.mapping).filter(([, f]) => f !== field));
    if (column) mapping[column] = field;
    updateUpload({ mapping });
  };
  const options = [{ value: '', label: '(none)' }, ...upload.columns.map((c) => ({ value: c, label: c }))];
  return (
    <div className="subpanel">
      <p className="hint">
        {upload.fileName}: {upload.columns.length} columns. Map them to the task's fields; 80% of the valid rows train, 20% are the dev split.
      </p>
      <SelectField
        label="Task type"
        value={upload.type}
        options={[
          { value: 'classification', label: 'Classification (text → label)' },
          { value: 'preference', label: 'Preference (prompt, chosen, rejected)' },
        ]}
        onChange={(type) => updateUpload({ type, mapping: {} })}
      />
      <div className="grid2">
        {FIELDS[upload.type].map((field) => (
          <SelectField key={field} label={`Column for “${field}”`} value={columnFor(field)} options={options} onChange={(c) => setColumn(field, c)} />
        ))}
      </div>
      {upload.type === 'classification' && (
        <>
          {upload.found && (
            <p className="hint" data-testid="labels-found">
              Labels in the file (all {upload.found.counts.reduce((a, b) => a + b, 0).toLocaleString('en-US')} rows):{' '}
              {upload.found.values.map((v, i) => `${v} (${upload.found!.counts[i].toLocaleString('en-US')})`).join(', ')}
              {upload.found.missing ? `; ${upload.found.missing.toLocaleString('en-US')} rows without a label` : ''}
            </p>
          )}
          <div className="grid2">
            <TextField label="Labels" value={upload.labels} hint="Comma-separated, as the label column writes them. Add or remove labels here." onChange={(labels) => updateUpload({ labels })} />
            <TextField
              label="Label words"
              value={upload.labelWords}
              hint={
                upload.found?.numeric
                  ? 'The labels are numbers: replace each with the word the model should score for it (e.g. negative, positive).'
                  : 'One per label, same order; each is scored after the prompt, with a leading space.'
              }
              onChange={(labelWords) => updateUpload({ labelWords })}
            />
          </div>
        </>
      )}
    </div>
  );
}
