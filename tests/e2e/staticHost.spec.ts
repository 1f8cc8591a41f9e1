// The production build on a plain static host that ignores Range requests (like
// `python3 -m http.server -d dist`): the self-test page matches golden.json, and "Train the demo"
// loads the demo model (read whole, one GET) and trains. The build is the one Playwright's web
// server made (playwright.config.ts), served here by a tiny Node server without range support.
import { expect, test } from '@playwright/test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_DIST, REPO_ROOT } from '../helpers/paths';
import { startStaticServer, type StaticServer } from '../helpers/staticServer';
import { captureErrors } from './helpers';

const dist = join(REPO_ROOT, E2E_DIST);
let server: StaticServer;

test.skip(!!process.env.ZO_E2E_BASE_URL || !existsSync(dist), `needs the production build Playwright makes in ${E2E_DIST} (not made when ZO_E2E_BASE_URL points at another server)`);

test.beforeAll(async () => {
  server = await startStaticServer(dist, { ranges: false });
});
test.afterAll(() => server?.close());

test('self-test page passes on a host without Range support', async ({ page }) => {
  const errors = captureErrors(page);
  await page.goto(`${server.url}selftest.html`);
  await expect(page.locator('#selftest')).toHaveAttribute('data-status', /pass|fail|error/, { timeout: 240_000 });
  await expect(page.locator('#summary')).toContainText('All prompts match');
  expect(errors).toEqual([]);
});

test('"Train the demo" loads the model whole and trains on a host without Range support', async ({ page }) => {
  const errors = captureErrors(page);
  await page.goto(server.url);
  const train = page.getByRole('button', { name: '▶ Train the demo' });
  await expect(train).toBeEnabled({ timeout: 60_000 });
  await train.click();
  await expect(page.getByTestId('step-counter')).toContainText(/step [1-9]/, { timeout: 240_000 });
  await page.getByRole('button', { name: 'Stop' }).click();
  const weights = server.requests.filter((r) => r.path.endsWith('/demo-model/model.safetensors'));
  expect(weights.length).toBeGreaterThan(0);
  expect(weights.every((r) => r.status === 200)).toBe(true);
  expect(errors).toEqual([]);
});
