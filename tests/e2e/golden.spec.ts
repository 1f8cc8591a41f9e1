// The forward pass in Chromium (WebGPU on SwiftShader) against golden.json, through the
// self-test page: last-position logits max abs error <= 1e-3, mean loss within 1e-4.
import { expect, test } from './helpers';

test('the self-test page matches golden.json for every prompt', async ({ page }) => {
  await page.goto('./selftest.html');
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
