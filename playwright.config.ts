// Browser tests in Debian's Chromium. WebGPU comes from SwiftShader's Vulkan driver (CPU), which
// a probe page on this machine confirmed yields an adapter ("google | swiftshader") with these
// flags; the `no-webgpu` project launches the same browser without them (requestAdapter -> null),
// where the app runs on its CPU backend (no-webgpu.spec.ts, cpuBackend.spec.ts).
// Playwright builds the static site (relative base, as any static host would serve it) and serves
// it with `vite preview` on a free 127.0.0.1 port, then stops it. A production build, because the
// long-task test measures what users get, not React's development mode. ZO_E2E_SERVER=dev uses the
// dev server instead.
import { defineConfig } from '@playwright/test';
import { execSync } from 'node:child_process';
import { E2E_DIST } from './tests/helpers/paths';
import { CHROMIUM_PATH, QUIET_FLAGS, WEBGPU_FLAGS } from './tests/helpers/chromium';

/** A free port, picked once in the runner; its workers inherit it through the environment. */
function freePort(): number {
  if (!process.env.ZO_E2E_PORT) {
    const script = "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
    process.env.ZO_E2E_PORT = execSync(`node -e "${script}"`).toString().trim();
  }
  return Number(process.env.ZO_E2E_PORT);
}

// ZO_E2E_BASE_URL points the tests at a server already running (e.g. `vite preview` of a build).
const external = process.env.ZO_E2E_BASE_URL;
const port = external ? 0 : freePort();
const baseURL = external ?? `http://127.0.0.1:${port}/`;
const vite = './node_modules/vite/bin/vite.js';
const outDir = E2E_DIST;
const executablePath = CHROMIUM_PATH;
const quiet = QUIET_FLAGS;
const webgpu = WEBGPU_FLAGS;

export default defineConfig({
  testDir: 'tests/e2e',
  // SwiftShader runs the GPU work on two shared CPU cores: one browser at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 300_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: { baseURL, trace: 'off', screenshot: 'only-on-failure' },
  projects: [
    {
      name: 'webgpu',
      testIgnore: /(no-webgpu|cpuBackend)\.spec\.ts/,
      use: { browserName: 'chromium', launchOptions: { executablePath, args: [...webgpu, ...quiet] } },
    },
    {
      name: 'no-webgpu',
      testMatch: /(no-webgpu|cpuBackend)\.spec\.ts/,
      use: { browserName: 'chromium', launchOptions: { executablePath, args: ['--disable-features=WebGPU', ...quiet] } },
    },
  ],
  webServer: external
    ? undefined
    : {
        command:
          process.env.ZO_E2E_SERVER === 'dev'
            ? `node ${vite} --host 127.0.0.1 --port ${port} --strictPort`
            : `node ${vite} build --outDir ${outDir} --emptyOutDir --logLevel warn && node ${vite} preview --outDir ${outDir} --host 127.0.0.1 --port ${port} --strictPort`,
        url: baseURL,
        reuseExistingServer: false,
        timeout: 240_000,
        stdout: 'ignore',
        stderr: 'pipe',
      },
});
