// Shared e2e helpers: console-error capture, the long-task recorder, and the steps every flow
// starts with (fill a field, load the demo model, pick a task).
import { expect, type Page } from '@playwright/test';

/** Types into the field labelled `label` and waits until it holds the value. */
export async function fill(page: Page, label: string, value: string): Promise<void> {
  const input = page.getByLabel(label, { exact: true });
  await input.fill(value);
  await expect(input).toHaveValue(value);
}

/** Loads the built-in demo model with the Load model button. */
export async function loadDemoModel(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-name')).toBeVisible({ timeout: 120_000 });
}

/** Picks a demo task and waits until the engine has it. */
export async function pickTask(page: Page, name: string): Promise<void> {
  await page.getByLabel('Task', { exact: true }).selectOption(name);
  await expect(page.getByTestId('task-rows')).toContainText('on the engine');
}

/** Collects console errors and uncaught page errors from the moment it is called. */
export function captureErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/** Records every long task (> 50 ms main-thread block) into window.__longTasks. */
export async function recordLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__longTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
}

export async function longTasks(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks.slice());
}

/** Forgets the long tasks so far (page load), so what follows measures one phase. */
export async function resetLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __longTasks: number[] }).__longTasks.length = 0;
  });
}
