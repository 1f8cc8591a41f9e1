// Job control: start a job on the current task, cancel it, resume it, retry failed rows; the
// saved jobs of this task (IndexedDB) with open / resume / delete, so a reload picks up where
// the job stopped without paying twice for a row.
import { useShallow } from 'zustand/react/shallow';
import { useRephrase, type JobIndexEntry } from '../../store/rephrase/slice';
import { cancelJob, deleteSavedJob, openSavedJob, resumeOpenJob, retryFailedRows, startJob } from '../../store/rephrase/actions';
import { useStudio } from '../../store/state';
import { JobProgress } from './JobProgress';

function SavedJob({ entry, open, busy }: { entry: JobIndexEntry; open: boolean; busy: boolean }) {
  const done = entry.accepted + entry.rejected + entry.failed;
  const when = new Date(entry.createdAt).toLocaleString();
  return (
    <li className={open ? 'open' : ''} data-testid="rephrase-job">
      <span>
        <strong>{entry.taskName}</strong> · {entry.model}
        {entry.judgeModel !== entry.model ? ` / judge ${entry.judgeModel}` : ''} · {entry.mode} · {done}/{entry.total} rows ({entry.accepted} accepted) · {entry.status} · {when}
      </span>
      <span className="button-row">
        {!open && (
          <button type="button" className="small" disabled={busy} onClick={() => void openSavedJob(entry.id, false)}>
            Open
          </button>
        )}
        {done < entry.total && (
          <button type="button" className="small" disabled={busy} onClick={() => void (open ? resumeOpenJob() : openSavedJob(entry.id, true))}>
            Resume job
          </button>
        )}
        <button type="button" className="small danger" disabled={busy && open} onClick={() => void deleteSavedJob(entry.id)}>
          Delete
        </button>
      </span>
    </li>
  );
}

export function JobControls() {
  const s = useRephrase(useShallow((st) => ({ status: st.jobStatus, jobId: st.jobId, saved: st.savedJobs, progress: st.progress })));
  const taskName = useStudio((st) => st.parsed?.spec.name);
  const busy = s.status === 'running' || s.status === 'cancelling';
  const unfinished = s.progress ? s.progress.pending > 0 : false;
  return (
    <div className="subpanel">
      <div className="button-row">
        <button type="button" className="primary" disabled={busy || !taskName} onClick={() => void startJob()}>
          Start rephrasing{taskName ? ` ${taskName}` : ''}
        </button>
        <button type="button" disabled={!busy || s.status === 'cancelling'} onClick={cancelJob}>
          Cancel
        </button>
        {s.jobId && !busy && unfinished && (
          <button type="button" onClick={() => void resumeOpenJob()}>
            Resume rephrasing
          </button>
        )}
        {s.jobId && !busy && (s.progress?.failed ?? 0) > 0 && (
          <button type="button" onClick={() => void retryFailedRows()}>
            Retry failed rows
          </button>
        )}
      </div>
      <JobProgress />
      {s.saved.length > 0 && (
        <details open={!s.jobId}>
          <summary>Saved jobs for this task ({s.saved.length})</summary>
          <ul className="jobs" aria-label="Saved rephrase jobs">
            {s.saved.map((e) => (
              <SavedJob key={e.id} entry={e} open={e.id === s.jobId} busy={busy} />
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
