// Shared e2e helpers: the `test` every spec imports (it fails a test on any console error or
// uncaught page error), the long-task recorder, and the steps every flow starts with (fill a
// field, load the demo model, pick a task).
import { test as base, expect, type Page } from '@playwright/test';

export { expect };
export type { Page };

/**
 * Console errors and uncaught page errors of every page a test opens. Nothing is whitelisted:
 * a spec that provokes an error on purpose claims it with `expected(pattern, why)`, which also
 * asserts that the error did occur; whatever is left unclaimed fails the test.
 */
export class PageErrors {
  private readonly errors: string[] = [];
  private readonly pages = new WeakSet<Page>();

  watch(page: Page): void {
    if (this.pages.has(page)) return;
    this.pages.add(page);
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.errors.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (error) => this.errors.push(`pageerror: ${error.message}`));
  }

  /** Removes the errors matching `pattern` from the list, asserting that at least one occurred. */
  expected(pattern: RegExp, why: string): string[] {
    const matched = this.errors.filter((e) => pattern.test(e));
    expect(matched.length, `expected a console error matching ${pattern} (${why})`).toBeGreaterThan(0);
    for (const e of matched) this.errors.splice(this.errors.indexOf(e), 1);
    return matched;
  }

  /** The errors so far that no `expected` call claimed. */
  unclaimed(): string[] {
    return this.errors.slice();
  }
}

export const test = base.extend<{ pageErrors: PageErrors }>({
  pageErrors: [
    async ({ context, page }, use) => {
      const errors = new PageErrors();
      errors.watch(page);
      context.on('page', (p) => errors.watch(p));
      await use(errors);
      expect(errors.unclaimed(), 'console errors or uncaught page errors during the test').toEqual([]);
    },
    { auto: true },
  ],
});

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
