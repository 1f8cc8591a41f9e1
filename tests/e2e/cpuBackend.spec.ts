// Run in the `no-webgpu` project (Chromium without WebGPU): the app trains the demo model on the
// CPU backend. Load the demo model (the header then shows the forward speed measured on it), pick
// the demo task, train 5 steps: 5 points on the loss chart, dev accuracy measured, the run
// finished. The page is cross-origin isolated (vite preview sends COOP/COEP), so the WASM kernels
// may use threads.
import { expect, fill, loadDemoModel, pickTask, test } from './helpers';

const N = 5;

test('trains the demo model with WebGPU disabled: load, train 5 steps, charts update', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto('./');
  expect(await page.evaluate(() => self.crossOriginIsolated), 'COOP/COEP from the preview server').toBe(true);
  await expect(page.getByTestId('adapter')).toContainText('CPU backend', { timeout: 60_000 });
  await loadDemoModel(page);
  await expect(page.getByTestId('adapter')).toContainText(/expect about [\d,]+ tokens\/s forward on this model/);
  await pickTask(page, 'wn-animal-plant');
  await fill(page, 'Steps', String(N));
  await fill(page, 'Batch size', '4');
  await fill(page, 'Eval every', String(N));
  await fill(page, 'Eval rows', '8');
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByTestId('step-counter')).toHaveText(`step ${N} / ${N}`, { timeout: 300_000 });
  await expect(page.getByRole('status', { name: 'Run status' })).toContainText('finished', { timeout: 60_000 });
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', String(N));
  await expect(page.getByTestId('dev-accuracy')).toHaveText(/dev acc \d+(\.\d)?%/);
});
