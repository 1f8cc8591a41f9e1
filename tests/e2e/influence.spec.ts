// The Influence view with the demo model and a small uploaded task (30 WordNet glosses: 24 train,
// 6 dev, K = 4 directions), on the CPU backend chosen in the header's Backend setting (stored in
// this browser, as a user would set it): the view is the same on either backend, and on SwiftShader
// WebGPU the vectors took ~30 s, mostly compiling kernels (the WebGPU influence path is tested in
// Node: tests/influence/jl.test.ts, tests/cli/influence.test.ts). The view says what is
// missing before a model is loaded; Compute shows progress with time left and can be cancelled;
// computed vectors rank the dev row's proponents and opponents with scores; a click on a row
// highlights it in the task's row table; after a reload the vectors come from this browser's
// cache (no recompute) with the saved ranking, and ranking again works; the presentation layout
// shows the same ranking and highlighted row in large type. A finished 3-step run is attributed to
// the rows it sampled, with predicted vs actual change of the query's loss. No console errors.
import { readFileSync } from 'node:fs';
import { expect, loadDemoModel, test, type Page } from './helpers';

const K = '4';
const TASK_FILE = 'influence-animals.csv';

/** 30 glosses of the demo task as a CSV the upload maps by itself (text, label). */
function tinyTask(): string {
  const rows = readFileSync('public/demo-data/wn-animal-plant/train.jsonl', 'utf8').trim().split('\n').slice(0, 30);
  const lines = rows.map((line) => {
    const row = JSON.parse(line) as { text: string; label: number };
    return `"${row.text.replace(/"/g, '""')}",${row.label === 0 ? 'animal' : 'plant'}`;
  });
  return ['text,label', ...lines].join('\n');
}

/** The header's Backend setting, CPU, as stored by the app (src/store/model/slice.ts BACKEND_KEY). */
async function useCpuBackend(page: Page): Promise<void> {
  await page.addInitScript(() => localStorage.setItem('zo-studio.backend', 'cpu'));
}

async function openWithTask(page: Page, upload: boolean): Promise<void> {
  await loadDemoModel(page);
  if (upload) await page.getByLabel('Upload JSONL or CSV').setInputFiles({ name: TASK_FILE, mimeType: 'text/csv', buffer: Buffer.from(tinyTask()) });
  else await page.getByLabel('Task', { exact: true }).selectOption({ label: 'Uploaded: influence-animals' });
  await expect(page.getByTestId('task-rows')).toContainText('24 train · 6 dev');
  // An upload goes to the engine when applied (the mapping and template may still change).
  const apply = page.getByRole('button', { name: 'Apply task' });
  await expect(apply.or(page.getByTestId('task-rows').getByText('on the engine'))).toBeVisible();
  if (await apply.isVisible()) await apply.click();
  await expect(page.getByTestId('task-rows')).toContainText('on the engine');
}

test('computes influence vectors, ranks a dev row, clicks through to the task table, and keeps the vectors after a reload', async ({ page }) => {
  test.setTimeout(600_000);
  // Whether the vectors were computed on this page: the progress bar's vectors phase appeared.
  await page.addInitScript(() => {
    const w = window as unknown as { __computed: boolean };
    w.__computed = false;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid="influence-progress"]')?.textContent?.includes('Computing')) w.__computed = true;
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await useCpuBackend(page);
  await page.goto('./');
  await expect(page.getByTestId('adapter')).toContainText('CPU backend', { timeout: 60_000 });
  const view = page.getByRole('region', { name: 'Influence: which training rows did this?' });
  await expect(view.getByTestId('influence-blocker')).toContainText('Load a model first');
  await expect(view.getByRole('button', { name: 'Compute vectors' })).toBeDisabled();

  await openWithTask(page, true);
  await expect(view.getByTestId('influence-blocker')).toHaveCount(0);
  await expect(view.getByTestId('influence-vectors')).toContainText('No vectors yet');

  // Cancel: many directions, stopped once the progress reports; nothing is kept.
  await view.getByLabel('Directions (K)').fill('512');
  await view.getByRole('button', { name: 'Compute vectors' }).click();
  await expect(view.getByTestId('influence-time-left')).toContainText('left', { timeout: 120_000 });
  await view.getByRole('button', { name: 'Cancel' }).click();
  await expect(view.getByTestId('influence-notice')).toContainText('Cancelled', { timeout: 120_000 });
  await expect(view.getByTestId('influence-vectors')).toContainText('No vectors yet');

  // Compute at small K: the ranking of dev row 0 follows by itself.
  await view.getByLabel('Directions (K)').fill(K);
  await view.getByLabel('Rows listed').fill('3');
  const started = Date.now();
  await view.getByRole('button', { name: 'Compute vectors' }).click();
  await expect(view.getByTestId('influence-vectors')).toContainText(`Vectors of 24 training rows at K = ${K}`, { timeout: 300_000 });
  await expect(view.getByTestId('influence-vectors')).toContainText('computed in');
  const vectorsAt = Date.now();
  const proponents = view.getByTestId('influence-proponents').getByTestId('influence-row');
  await expect(proponents).toHaveCount(3, { timeout: 120_000 });
  await expect(view.getByTestId('influence-opponents').getByTestId('influence-row')).toHaveCount(3);
  console.log(`influence e2e: vectors (K=${K}, 24 rows) in ${((vectorsAt - started) / 1000).toFixed(1)} s, ranking ${((Date.now() - vectorsAt) / 1000).toFixed(1)} s`);
  const scores = await view.getByTestId('influence-proponents').locator('.influence-score').allTextContents();
  const values = scores.map(Number);
  expect(values.every((v) => Number.isFinite(v) && v >= -1 && v <= 1), `cosines ${scores}`).toBe(true);
  expect(values).toEqual([...values].sort((a, b) => b - a)); // highest first
  expect(await page.evaluate(() => (window as unknown as { __computed: boolean }).__computed)).toBe(true);

  // Click through: the row is highlighted in the task's row table.
  const top = await proponents.first().getAttribute('data-row');
  await proponents.first().click();
  const focused = page.locator('[data-testid="task-row"][aria-current="true"]');
  await expect(focused).toHaveAttribute('data-row', top!);
  await expect(focused).toBeInViewport();
  // The presentation layout's influence screen: the same ranking and highlighted row in large type.
  await page.getByRole('button', { name: 'Presentation view' }).click();
  await page.getByRole('button', { name: 'Influence', exact: true }).click();
  await expect(page.getByTestId('presentation').getByTestId('influence-proponents').getByTestId('influence-row').first()).toHaveAttribute('data-row', top!);
  await expect(page.getByTestId('presentation').locator('[data-testid="task-row"][aria-current="true"]')).toHaveAttribute('data-row', top!);
  await page.getByRole('button', { name: 'Exit presentation' }).click();

  // Reload: the engine is fresh, the vectors come back from IndexedDB without a recompute.
  await page.reload();
  await expect(page.getByTestId('adapter')).toContainText('CPU backend', { timeout: 60_000 });
  await openWithTask(page, false);
  await expect(view.getByTestId('influence-vectors')).toContainText('read from this browser’s cache', { timeout: 60_000 });
  await expect(proponents.first()).toHaveAttribute('data-row', top!); // the saved ranking
  // Another query ranks against the cached vectors.
  await view.getByLabel('Dev row').fill('1');
  await view.getByRole('button', { name: 'Rank training rows' }).click();
  await expect(view.getByTestId('influence-ranking')).toContainText('Dev row 1:', { timeout: 120_000 });
  await expect(proponents).toHaveCount(3);
  expect(await page.evaluate(() => (window as unknown as { __computed: boolean }).__computed)).toBe(false);
});

test('attributes a finished ZO run to its training rows: predicted vs actual change of the query loss', async ({ page }) => {
  test.setTimeout(600_000);
  await useCpuBackend(page);
  await page.goto('./');
  await expect(page.getByTestId('adapter')).toContainText('CPU backend', { timeout: 60_000 });
  await openWithTask(page, true);
  for (const [label, value] of [['Steps', '3'], ['Batch size', '2'], ['Eval every', '0']]) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByRole('status', { name: 'Run status' })).toContainText('finished', { timeout: 300_000 });

  const view = page.getByRole('region', { name: 'Influence: which training rows did this?' });
  await view.getByText('Trajectory attribution of a run').click();
  const run = view.getByLabel('Run to attribute');
  await run.selectOption({ index: 1 });
  const started = Date.now();
  await view.getByRole('button', { name: 'Attribute this run' }).click();
  const summary = view.getByTestId('trajectory-summary');
  await expect(summary).toContainText('Over 3 steps', { timeout: 300_000 });
  console.log(`influence e2e: trajectory of 3 steps in ${((Date.now() - started) / 1000).toFixed(1)} s: ${await summary.textContent()}`);
  await expect(summary).toContainText('per-step correlation');
  await expect(view.getByTestId('trajectory-chart')).toHaveAttribute('data-points', '3');
  // Only rows the run sampled are listed (3 steps x 2 rows): lowered ones negative, raised ones positive.
  const contributions = async (id: string) => (await view.getByTestId(id).locator('.influence-score').allTextContents()).map(Number);
  const lowered = await contributions('trajectory-proponents');
  const raised = await contributions('trajectory-opponents');
  expect(lowered.length + raised.length).toBeGreaterThan(0);
  expect(lowered.length + raised.length).toBeLessThanOrEqual(6);
  expect(lowered.every((v) => v < 0) && raised.every((v) => v > 0), `lowered ${lowered}, raised ${raised}`).toBe(true);
  const first = view.getByTestId('influence-trajectory').getByTestId('influence-row').first();
  await first.click();
  await expect(page.locator('[data-testid="task-row"][aria-current="true"]')).toHaveAttribute('data-row', (await first.getAttribute('data-row'))!);
});
