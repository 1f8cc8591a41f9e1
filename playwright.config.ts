// Browser tests in Debian's Chromium. WebGPU comes from SwiftShader's Vulkan driver (CPU), which
// a probe page on this machine confirmed yields an adapter ("google | swiftshader") with these
// flags; the `no-webgpu` project launches the same browser without them (requestAdapter -> null).
// Playwright starts the Vite dev server on a free 127.0.0.1 port and stops it afterwards.
import { defineConfig } from '@playwright/test';
import { execSync } from 'node:child_process';

/** A free port, picked once in the runner; its workers inherit it through the environment. */
function freePort(): number {
  if (!process.env.ZO_E2E_PORT) {
    const script = "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
    process.env.ZO_E2E_PORT = execSync(`node -e "${script}"`).toString().trim();
  }
  return Number(process.env.ZO_E2E_PORT);
}

const port = freePort();
const baseURL = `http://127.0.0.1:${port}/`;
const executablePath = process.env.ZO_CHROMIUM ?? '/usr/bin/chromium';
const quiet = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const webgpu = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-angle=swiftshader', '--disable-vulkan-surface'];

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
      testIgnore: /no-webgpu\.spec\.ts/,
      use: { browserName: 'chromium', launchOptions: { executablePath, args: [...webgpu, ...quiet] } },
    },
    {
      name: 'no-webgpu',
      testMatch: /no-webgpu\.spec\.ts/,
      use: { browserName: 'chromium', launchOptions: { executablePath, args: ['--disable-features=WebGPU', ...quiet] } },
    },
  ],
  webServer: {
    command: `node ./node_modules/vite/bin/vite.js --host 127.0.0.1 --port ${port} --strictPort`,
    url: baseURL,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
