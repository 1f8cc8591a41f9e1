// The demo on a projector: the presentation layout (?present=1) at 1280x720 shows the launch
// progress within a second of "Train the demo" (and Reset stops that start), then, for a small
// run, the loss and accuracy charts, the step counter with steps/s and time left, and Pause /
// Step once / Reset, all without scrolling; the loss chart's y ticks stay distinct from the first
// step on; Step once makes exactly one step. A reload mid-run brings an "interrupted at step N"
// banner with the curves already back on the charts, and Resume continues the run. No console
// errors throughout (the shared fixture). The demo preset's batches (16 rows, 100-row
// evaluations) take minutes a step on SwiftShader, so the run the layout shows is configured small.
// ZO_SCREENSHOTS=1 also refreshes the README's screenshots of the layout.
import { expect, fill, test, type Page } from './helpers';

const VIEW = { width: 1280, height: 720 };
const stepOf = async (page: Page) => Number(/step (\d+)/.exec((await page.getByTestId('step-counter').textContent()) ?? '')?.[1] ?? 0);

/** Every element lies inside the window, and the page does not scroll. */
async function expectOnScreen(page: Page, names: string[], locators: ReturnType<Page['getByTestId']>[]): Promise<void> {
  for (const [i, locator] of locators.entries()) {
    const box = await locator.boundingBox();
    expect(box, `${names[i]} is laid out`).not.toBeNull();
    expect(box!.x, `${names[i]} left edge`).toBeGreaterThanOrEqual(0);
    expect(box!.y, `${names[i]} top edge`).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, `${names[i]} right edge`).toBeLessThanOrEqual(VIEW.width);
    expect(box!.y + box!.height, `${names[i]} bottom edge`).toBeLessThanOrEqual(VIEW.height);
  }
  const scroll = await page.evaluate(() => ({ h: document.documentElement.scrollHeight, w: document.documentElement.scrollWidth }));
  expect(scroll.h, 'page height (no vertical scrolling)').toBeLessThanOrEqual(VIEW.height);
  expect(scroll.w, 'page width (no horizontal scrolling)').toBeLessThanOrEqual(VIEW.width);
}

/** The loss chart's y-axis labels: each drawn once (stale first-step labels used to stay on top). */
async function yTicks(page: Page): Promise<string[]> {
  return page.getByTestId('loss-chart').locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents();
}

test('presentation layout at 1280x720, Step once, Reset, and the interrupted-run banner after a reload', async ({ page }) => {
  test.setTimeout(900_000);
  await page.setViewportSize(VIEW);
  await page.goto('./?present=1');
  await expect(page.getByTestId('presentation')).toBeVisible();
  const demo = page.getByRole('button', { name: '▶ Train the demo' });
  await expect(demo).toBeEnabled({ timeout: 60_000 });
  const controls = page.getByRole('group', { name: 'Run controls' });
  const status = page.getByRole('status', { name: 'Run status' });

  // The click is answered within a second: what it is waiting for, phase by phase; Reset stops it.
  await demo.click();
  await expect(page.getByTestId('launch-progress')).toBeVisible({ timeout: 1000 });
  await expect(page.getByTestId('launch-progress')).toContainText('loading model');
  await expect(page.getByTestId('launch-progress')).toContainText(/compiling kernels|first step/, { timeout: 120_000 });
  await controls.getByRole('button', { name: 'Reset' }).click();
  await expect(page.getByTestId('launch-progress')).toHaveCount(0, { timeout: 120_000 });
  await expect(page.getByTestId('step-counter')).toHaveText(/^step 0 \//);
  await expect(demo).toBeEnabled({ timeout: 120_000 });

  // A small run, configured on the full page, shown in the presentation layout.
  await page.getByRole('button', { name: 'Exit presentation' }).click();
  expect(new URL(page.url()).searchParams.get('present')).toBeNull();
  await fill(page, 'Steps', '200');
  await fill(page, 'Batch size', '2');
  await fill(page, 'Eval every', '3');
  await fill(page, 'Eval rows', '8');
  await page.getByRole('button', { name: 'Presentation view' }).click();
  expect(new URL(page.url()).searchParams.get('present')).toBe('1');
  await controls.getByRole('button', { name: 'Step once' }).click();
  await expect(page.getByTestId('launch-progress')).toBeVisible({ timeout: 1000 });
  await expect.poll(() => stepOf(page), { timeout: 300_000 }).toBe(1);
  await expect(status).toContainText('paused', { timeout: 120_000 });
  const ticks = await yTicks(page);
  expect(ticks.length).toBeGreaterThan(1);
  expect(new Set(ticks).size, `loss y ticks at step 1: ${ticks.join(' | ')}`).toBe(ticks.length);
  await page.waitForTimeout(1500);
  expect(await stepOf(page), 'Step once made exactly one step').toBe(1);

  // Running: one screen holds the charts, the counter with steps/s and time left, the buttons.
  await controls.getByRole('button', { name: 'Resume' }).click();
  await expect(status).toContainText(/ left/, { timeout: 300_000 });
  await expect(page.getByTestId('accuracy-chart')).not.toHaveAttribute('data-points', '0', { timeout: 300_000 });
  await expectOnScreen(
    page,
    ['loss chart', 'accuracy chart', 'step counter', 'run status', 'Pause', 'Step once', 'Reset'],
    [
      page.getByTestId('loss-chart'),
      page.getByTestId('accuracy-chart'),
      page.getByTestId('step-counter'),
      status,
      controls.getByRole('button', { name: 'Pause' }),
      controls.getByRole('button', { name: 'Step once' }),
      controls.getByRole('button', { name: 'Reset' }),
    ],
  );
  // Large type: the counter and the buttons read from the back of a room.
  expect(await page.getByTestId('step-counter').evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(48);
  expect(await controls.getByRole('button', { name: 'Pause' }).evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(28);
  const later = await yTicks(page);
  expect(new Set(later).size, `loss y ticks: ${later.join(' | ')}`).toBe(later.length);
  if (process.env.ZO_SCREENSHOTS) {
    await expect.poll(() => stepOf(page), { timeout: 600_000 }).toBeGreaterThanOrEqual(40);
    await page.screenshot({ path: 'docs/screenshots/presentation.png' });
  }

  // Reload mid-run: the banner names the step, the curves are back before any resume.
  await expect.poll(() => stepOf(page), { timeout: 300_000 }).toBeGreaterThanOrEqual(4);
  await page.reload();
  const banner = page.getByTestId('interrupted-banner');
  await expect(banner).toBeVisible({ timeout: 60_000 });
  const interruptedAt = Number(/interrupted at step (\d+)/.exec((await banner.textContent()) ?? '')?.[1]);
  expect(interruptedAt).toBeGreaterThanOrEqual(4);
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', String(interruptedAt));
  await expect(page.getByTestId('accuracy-chart')).not.toHaveAttribute('data-points', '0');
  await expect(page.getByTestId('step-counter')).toHaveText(`step ${interruptedAt} / 200`);
  expect((await banner.boundingBox())!.y, 'the banner is at the top').toBeLessThan(200);
  // With the banner, the charts shrink (once the banner's height is measured and the charts have
  // re-rendered, which takes longer while the engine starts beside them): everything fits the window.
  await expect(async () =>
    expectOnScreen(
      page,
      ['banner', 'loss chart', 'accuracy chart', 'step counter', 'Resume', 'Step once', 'Reset'],
      [
        banner,
        page.getByTestId('loss-chart'),
        page.getByTestId('accuracy-chart'),
        page.getByTestId('step-counter'),
        controls.getByRole('button', { name: 'Resume' }),
        controls.getByRole('button', { name: 'Step once' }),
        controls.getByRole('button', { name: 'Reset' }),
      ],
    ),
  ).toPass({ timeout: 10_000 });
  if (process.env.ZO_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/presentation-interrupted.png' });
  await banner.getByRole('button', { name: 'Resume' }).click();
  await expect(banner).toHaveCount(0);
  await expect.poll(() => stepOf(page), { timeout: 300_000 }).toBeGreaterThan(interruptedAt);

  // Reset: the run stops, the charts clear; the next run starts from the loaded weights.
  await controls.getByRole('button', { name: 'Reset' }).click();
  await expect(page.getByTestId('step-counter')).toHaveText(/^step 0 \//);
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', '0');
});

test('the full page at 1440x900: the ZO step cards fit their columns', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('./');
  await expect(page.getByTestId('adapter')).toContainText('GPU:', { timeout: 60_000 });
  const cards = page.locator('.phases li');
  await expect(cards).toHaveCount(6);
  const overflow = await cards.evaluateAll((els) => els.filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1).map((el) => el.textContent));
  expect(overflow, 'cards whose content overflows').toEqual([]);
  const boxes = await cards.evaluateAll((els) => els.map((el) => el.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right, top: r.top })));
  const list = await page.locator('.phases').evaluate((el) => el.getBoundingClientRect().right);
  for (const b of boxes) expect(b.right).toBeLessThanOrEqual(list + 1);
  // No two cards on one row overlap.
  for (const a of boxes) for (const b of boxes) if (a !== b && a.top === b.top && a.left < b.left) expect(a.right).toBeLessThanOrEqual(b.left + 1);
});
