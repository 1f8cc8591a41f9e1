// Loading progress as the engine reports it: phase, file, bytes, rate and time left.
import { useStudio } from '../../store/state';
import { bytes, duration } from '../format';

const PHASES = { download: 'Downloading', cache: 'Reading from cache', upload: 'Uploading to the GPU', quantize: 'Quantizing' } as const;

export function LoadProgressBar() {
  const p = useStudio((s) => s.progress);
  if (!p) return <p className="hint" role="status">Starting…</p>;
  const fraction = p.totalBytes > 0 ? p.loadedBytes / p.totalBytes : 0;
  return (
    <div className="progress" role="status">
      <div className="progress-label">
        <span>
          {PHASES[p.phase]} {p.file}
        </span>
        <span>{Math.round(fraction * 100)}%</span>
      </div>
      <progress aria-label={`${PHASES[p.phase]} ${p.file}`} max={1} value={fraction} />
      <small className="hint">
        {bytes(p.loadedBytes)} of {bytes(p.totalBytes)} · {bytes(p.bytesPerSecond)}/s · {duration(p.secondsLeft)} left
      </small>
    </div>
  );
}
