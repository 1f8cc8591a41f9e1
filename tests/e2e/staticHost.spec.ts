// The production build on a plain static host that ignores Range requests (like
// `python3 -m http.server -d dist`): the self-test page matches golden.json (this is the browser
// golden test), and "Train the demo" loads the demo model (read whole) and starts the run. The build is
// the one Playwright's web server made (playwright.config.ts), served by a Node server that
// ignores Range.
import { join } from 'node:path';
import { E2E_DIST, REPO_ROOT } from '../helpers/paths';
import { startStaticServer, type StaticServer } from '../helpers/staticServer';
import { expect, test } from './helpers';

const dist = join(REPO_ROOT, E2E_DIST);
// With ZO_E2E_BASE_URL (tests pointed at a server already running) there is no local build to
// serve: the same checks then run against that server.
const ownBuild = !process.env.ZO_E2E_BASE_URL;
let server: StaticServer | undefined;
/** Where the pages are: the range-less server, or Playwright's base URL. */
const at = (path: string) => (server ? `${server.url}${path}` : `./${path}`);

test.beforeAll(async () => {
  if (ownBuild) server = await startStaticServer(dist, { ranges: false });
});
test.afterAll(() => server?.close());

// The forward pass in Chromium (WebGPU on SwiftShader) against golden.json, through the self-test
// page: last-position logits max abs error <= 1e-3, mean loss within 1e-4. (The other browser
// tests load the demo model from vite preview, which honours Range.)
test('the self-test page matches golden.json for every prompt, on a host without Range support', async ({ page }) => {
  await page.goto(at('selftest.html'));
  const main = page.locator('#selftest');
  await expect(main).toHaveAttribute('data-status', /pass|fail|error/, { timeout: 240_000 });
  const report = JSON.parse((await page.locator('#result').textContent()) ?? '{}') as { results: { maxLogitError: number; lossError: number }[] };
  expect(report.results).toHaveLength(8);
  for (const r of report.results) {
    expect(r.maxLogitError).toBeLessThanOrEqual(1e-3);
    expect(r.lossError).toBeLessThanOrEqual(1e-4);
  }
  await expect(main).toHaveAttribute('data-status', 'pass');
});

// The demo preset's first step (a 100-row evaluation, then a 16-row batch) takes minutes on a
// loaded SwiftShader machine; what a range-less host could break is the load, so the test follows
// the launch until the model is loaded and the kernels compile, and checks how it was fetched.
test('"Train the demo" loads the model whole on a host without Range support', async ({ page }) => {
  await page.goto(at(''));
  const train = page.getByRole('button', { name: '▶ Train the demo' });
  await expect(train).toBeEnabled({ timeout: 60_000 });
  await train.click();
  await expect(page.getByTestId('launch-progress')).toContainText('loading model', { timeout: 10_000 });
  await expect(page.getByTestId('launch-progress')).toContainText(/compiling kernels|first step/, { timeout: 180_000 });
  await expect(page.getByTestId('model-name')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  if (server) {
    const weights = server.requests.filter((r) => r.path.endsWith('/demo-model/model.safetensors'));
    expect(weights.length).toBeGreaterThan(0);
    expect(weights.every((r) => r.status === 200)).toBe(true);
  }
});
