// The demo on a projector: the presentation layout (?present=1) at 1280x720 shows the launch
// progress within a second of "Train the demo", then the loss and accuracy charts, the step
// counter with steps/s and time left, and Pause / Step once / Reset, all without scrolling; the
// loss chart's y ticks stay distinct from the first step on; Step once makes exactly one step.
// A reload mid-run brings an "interrupted at step N" banner with the curves already back on the
// charts, and Resume continues the run. No console errors throughout (the shared fixture).
// ZO_SCREENSHOTS=1 also refreshes the README's screenshots of the layout.
import { expect, test, type Page } from './helpers';

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
  return page.getByTestId('loss-chart').locator('.recharts-yAxis .recharts-cartesian-axis-tick-value').allTextContents();
}

test('presentation layout at 1280x720, Step once, and the interrupted-run banner after a reload', async ({ page }) => {
  test.setTimeout(900_000);
  await page.setViewportSize(VIEW);
  await page.goto('./?present=1');
  await expect(page.getByTestId('presentation')).toBeVisible();
  const demo = page.getByRole('button', { name: '▶ Train the demo' });
  await expect(demo).toBeEnabled({ timeout: 60_000 });

  // The click is answered within a second: what it is waiting for, phase by phase.
  await demo.click();
  await expect(page.getByTestId('launch-progress')).toBeVisible({ timeout: 1000 });
  await expect(page.getByTestId('launch-progress')).toContainText('loading model');
  await expect(page.getByTestId('launch-progress')).toContainText(/compiling kernels|first step/, { timeout: 120_000 });
  await expect.poll(() => stepOf(page), { timeout: 300_000 }).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('launch-progress')).toHaveCount(0);
  const ticks = await yTicks(page);
  expect(ticks.length).toBeGreaterThan(1);
  expect(new Set(ticks).size, `loss y ticks: ${ticks.join(' | ')}`).toBe(ticks.length);

  // One screen: charts, counter with steps/s and time left, the run buttons.
  const controls = page.getByRole('group', { name: 'Run controls' });
  await expect(page.getByRole('status', { name: 'Run status' })).toContainText(/steps\/s/);
  await expect(page.getByRole('status', { name: 'Run status' })).toContainText(/ left/, { timeout: 60_000 });
  await expectOnScreen(
    page,
    ['loss chart', 'accuracy chart', 'step counter', 'run status', 'Pause', 'Step once', 'Reset'],
    [
      page.getByTestId('loss-chart'),
      page.getByTestId('accuracy-chart'),
      page.getByTestId('step-counter'),
      page.getByRole('status', { name: 'Run status' }),
      controls.getByRole('button', { name: 'Pause' }),
      controls.getByRole('button', { name: 'Step once' }),
      controls.getByRole('button', { name: 'Reset' }),
    ],
  );
  // Large type: the counter reads from the back of a room.
  const counterPx = await page.getByTestId('step-counter').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(counterPx).toBeGreaterThanOrEqual(48);
  if (process.env.ZO_SCREENSHOTS) {
    // Enough steps for a curve and two dev-accuracy points (steps 0 and 50).
    await expect.poll(() => stepOf(page), { timeout: 600_000 }).toBeGreaterThanOrEqual(60);
    await page.screenshot({ path: 'docs/screenshots/presentation.png' });
  }

  // Pause, then Step once: exactly one more step, paused again.
  await controls.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('status', { name: 'Run status' })).toContainText('paused', { timeout: 120_000 });
  const paused = await stepOf(page);
  await controls.getByRole('button', { name: 'Step once' }).click();
  await expect.poll(() => stepOf(page), { timeout: 120_000 }).toBe(paused + 1);
  await expect(page.getByRole('status', { name: 'Run status' })).toContainText('paused', { timeout: 120_000 });
  await page.waitForTimeout(1500);
  expect(await stepOf(page)).toBe(paused + 1);
  expect((await yTicks(page)).length).toBe(new Set(await yTicks(page)).size);

  // Resume and reload mid-run: the banner names the step, the charts are back before any resume.
  await controls.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => stepOf(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(paused + 3);
  await page.reload();
  const banner = page.getByTestId('interrupted-banner');
  await expect(banner).toBeVisible({ timeout: 60_000 });
  const interruptedAt = Number(/interrupted at step (\d+)/.exec((await banner.textContent()) ?? '')?.[1]);
  expect(interruptedAt).toBeGreaterThanOrEqual(paused + 3);
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', String(interruptedAt));
  await expect(page.getByTestId('step-counter')).toHaveText(new RegExp(`^step ${interruptedAt} / 200$`));
  const bannerBox = await banner.boundingBox();
  expect(bannerBox!.y, 'the banner is at the top').toBeLessThan(200);
  if (process.env.ZO_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/presentation-interrupted.png' });
  await banner.getByRole('button', { name: 'Resume' }).click();
  await expect(banner).toHaveCount(0);
  await expect.poll(() => stepOf(page), { timeout: 300_000 }).toBeGreaterThan(interruptedAt);

  // Reset: the run stops, the charts clear, the next run starts from the loaded weights.
  await controls.getByRole('button', { name: 'Reset' }).click();
  await expect(page.getByTestId('step-counter')).toHaveText(/^step 0 \//);
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', '0');

  // The toggle leads back to the full page, and the address forgets the flag.
  await page.getByRole('button', { name: 'Exit presentation' }).click();
  await expect(page.getByRole('heading', { name: 'ZO Studio', level: 1 })).toBeVisible();
  await expect(page.getByTestId('runs-panel').or(page.getByRole('heading', { name: 'Runs' }))).toBeVisible();
  expect(new URL(page.url()).searchParams.get('present')).toBeNull();
});
