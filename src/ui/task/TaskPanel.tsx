// The task panel: a built-in demo task or an uploaded JSONL/CSV file, the prompt template with a
// live preview, and every problem found in the rows.
import { BUILTIN_TASKS, DEFAULT_TASK } from '../../engine/data';
import { applyTaskToEngine, selectTask, setLongRows } from '../../store/task/actions';
import { deleteCurrentUpload, selectUpload, uploadName, uploadTaskFile } from '../../store/task/upload';
import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../../store/state';
import { ErrorBox, Panel, SelectField } from '../Fields';
import { ProblemList } from './ProblemList';
import { TaskRows } from './TaskRows';
import { TemplateEditor } from './TemplateEditor';
import { UploadMapping } from './UploadMapping';

export function TaskPanel() {
  const s = useStudio(
    useShallow((st) => ({
      upload: st.upload,
      parsed: st.parsed,
      taskChoice: st.taskChoice,
      taskStatus: st.taskStatus,
      taskApplied: st.taskApplied,
      modelStatus: st.modelStatus,
      taskError: st.taskError,
      taskSummary: st.taskSummary,
      savedUploads: st.savedUploads,
      uploadRejected: st.uploadRejected,
      longRows: st.longRows,
    })),
  );
  const current = s.upload ? uploadName(s.upload.fileName) : null;
  const builtin = BUILTIN_TASKS.some((t) => t.name === s.taskChoice);
  const options = [
    ...BUILTIN_TASKS.map((t) => ({ value: t.name, label: t.title })),
    // A saved task (an import, or a rephrased one) is listed while it is the current task.
    ...(!builtin && s.taskChoice !== 'upload' ? [{ value: s.taskChoice, label: `Saved: ${s.taskChoice}` }] : []),
    ...(s.upload ? [{ value: 'upload', label: `Uploaded: ${s.upload.fileName}` }] : []),
    // Uploads saved in this browser, listed until deleted.
    ...s.savedUploads.filter((name) => name !== current).map((name) => ({ value: `upload:${name}`, label: `Uploaded: ${name}` })),
  ];
  const counts = s.parsed ? Object.entries(s.parsed.splits).map(([k, v]) => `${v.length} ${k}`).join(' · ') : null;
  return (
    <Panel title="2 · Task">
      <SelectField label="Task" value={s.taskChoice} options={options} onChange={(v) => (v === 'upload' ? undefined : v.startsWith('upload:') ? void selectUpload(v.slice(7)) : void selectTask(v))} />
      {s.parsed?.spec.description && <p className="hint clamp">{s.parsed.spec.description}</p>}
      <label className="button">
        Upload JSONL or CSV
        <input
          type="file"
          accept=".jsonl,.json,.csv,application/json,text/csv"
          className="visually-hidden"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void uploadTaskFile(file);
            e.target.value = '';
          }}
        />
      </label>
      {s.upload && (
        <button type="button" className="small danger" onClick={() => confirm(`Delete the uploaded task “${s.upload!.fileName}” from this browser?`) && void deleteCurrentUpload(DEFAULT_TASK)}>
          Delete this upload
        </button>
      )}
      <ErrorBox error={s.uploadRejected} />
      {s.upload && <UploadMapping />}
      {(s.parsed || s.upload) && <TemplateEditor />}
      {counts && (
        <p className="hint" data-testid="task-rows">
          {s.taskStatus === 'ready' ? 'Valid rows: ' : ''}
          {counts}
          {s.taskApplied ? ' · on the engine' : s.modelStatus === 'ready' ? '' : ' · the engine gets it once the model is loaded'}
        </p>
      )}
      {!s.taskApplied && s.parsed && s.modelStatus === 'ready' && (
        <button type="button" onClick={() => void applyTaskToEngine()}>
          Apply task
        </button>
      )}
      <ErrorBox error={s.taskError} />
      {s.taskSummary?.problems.some((p) => p.message.includes('maximum sequence length')) && (
        <SelectField
          label="Rows longer than the model's maximum sequence length"
          value={s.longRows}
          options={[
            { value: 'skip', label: 'Leave them out' },
            { value: 'truncate', label: 'Truncate the prompt from the left' },
          ]}
          onChange={(v) => void setLongRows(v)}
        />
      )}
      <ProblemList problems={[...(s.parsed?.problems ?? []), ...(s.taskSummary?.problems ?? [])]} />
      <TaskRows />
    </Panel>
  );
}
