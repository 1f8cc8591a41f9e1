// The whole page when this browser cannot run WebGPU: what works, and how to turn it on.
export function NoWebGpu({ detail }: { detail?: string }) {
  return (
    <main className="no-webgpu" role="main">
      <h1>ZO Studio needs WebGPU</h1>
      <p className="lead">This browser did not give the page a GPU. {detail}</p>
      <p>ZO Studio trains the model on your graphics card through WebGPU. It works in:</p>
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
        driver is up to date. Your saved runs stay in this browser and will be here when WebGPU is available.
      </p>
    </main>
  );
}
