// Page-wide messages: no WebGPU (the app runs on the CPU, or waits for a switch), a run
// interrupted by a reload (resume it), a lost GPU device (explain,
// reload, resume), an engine that failed to start, and short notices (imports, shared links).
import { recoverFromDeviceLost } from '../store/training/actions';
import { useStudio } from '../store/state';
import { InterruptedBanner } from './InterruptedBanner';
import { NoWebGpuBanner } from './NoWebGpu';

export function Banners() {
  const deviceLost = useStudio((s) => s.deviceLost);
  const engineStatus = useStudio((s) => s.engineStatus);
  const engineError = useStudio((s) => s.engineError);
  const notice = useStudio((s) => s.notice);
  return (
    <div className="banners">
      <NoWebGpuBanner />
      <InterruptedBanner />
      {deviceLost && (
        <div className="banner error" role="alert">
          <p>
            <strong>The GPU device was lost.</strong> The browser or the driver reset the GPU (another tab, a driver update, or memory pressure). {deviceLost} Your runs are
            saved up to their last step.
          </p>
          <button type="button" className="primary" onClick={() => void recoverFromDeviceLost()}>
            Reload the model and resume
          </button>
        </div>
      )}
      {engineStatus === 'failed' && engineError && (
        <div className="banner error" role="alert">
          <p>
            <strong>The training engine could not start.</strong> {engineError.message}
          </p>
          <button type="button" onClick={() => location.reload()}>
            Reload the page
          </button>
        </div>
      )}
      {notice && (
        <div className={`banner ${notice.tone}`} role="status">
          <p>{notice.text}</p>
          <button type="button" className="small" aria-label="Dismiss" onClick={() => useStudio.setState({ notice: null })}>
            ×
          </button>
        </div>
      )}
    </div>
  );
}
