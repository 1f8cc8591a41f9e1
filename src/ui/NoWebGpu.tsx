// The banner for a browser without WebGPU, over a working app: with the automatic backend the
// app runs on the CPU (and says how to get GPU speed); with WebGPU chosen explicitly the engine
// waits, and the banner offers the CPU backend.
import { setBackendChoice } from '../store/model/actions';
import { useStudio } from '../store/state';

function WhereWebGpuWorks() {
  return (
    <details>
      <summary>Where WebGPU works</summary>
      <ul>
        <li>
          <strong>Chrome or Edge 113 or newer</strong> on Windows, macOS and ChromeOS.
        </li>
        <li>
          <strong>Chrome or Chromium on Linux</strong>: start it with <code>--enable-unsafe-webgpu</code> and <code>--enable-features=Vulkan</code>, and make sure a Vulkan driver is installed.
        </li>
        <li>
          <strong>Safari 26 or newer</strong> on macOS, iOS and iPadOS.
        </li>
        <li>
          <strong>Firefox 141 or newer on Windows</strong>.
        </li>
      </ul>
      <p>
        If your browser is one of these, check that hardware acceleration is on (in Chrome: <code>chrome://gpu</code> lists “WebGPU: Hardware accelerated”) and that the GPU
        driver is up to date.
      </p>
    </details>
  );
}

export function NoWebGpuBanner() {
  const engineStatus = useStudio((s) => s.engineStatus);
  const engineError = useStudio((s) => s.engineError);
  const adapter = useStudio((s) => s.adapter);
  const choice = useStudio((s) => s.backendChoice);
  if (engineStatus === 'no-webgpu') {
    return (
      <div className="banner error no-webgpu" role="alert">
        <div>
          <p>
            <strong>ZO Studio needs WebGPU for the backend you chose.</strong> This browser did not give the page a GPU. {engineError?.message}
          </p>
          <WhereWebGpuWorks />
        </div>
        <button type="button" className="primary" onClick={() => void setBackendChoice('cpu')}>
          Use the CPU backend
        </button>
      </div>
    );
  }
  if (engineStatus === 'ready' && adapter?.backend === 'cpu' && choice === 'auto') {
    return (
      <div className="banner no-webgpu" role="status">
        <div>
          <p>
            <strong>No WebGPU in this browser: ZO Studio runs on the CPU.</strong> Everything works (training, evaluation, generation, runs and replay) on WebAssembly
            kernels, more slowly than on a GPU. Your runs replay on either backend.
          </p>
          <WhereWebGpuWorks />
        </div>
      </div>
    );
  }
  return null;
}
