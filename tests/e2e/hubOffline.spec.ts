// A Hub id while offline: one line says the Hub cannot be reached (no word of a partial
// download), the demo model loaded before stays loaded, and the message goes when the user
// switches back to the demo. A malformed id is refused before any request; suggested small
// models are listed with their sizes before any request too.
import { expect, test, loadDemoModel } from './helpers';

test('offline Hub id: suggestions before any request, one clear message, the demo model stays loaded', async ({ page, context }) => {
  const hubRequests: string[] = [];
  // No network to the Hub, from the page or its worker.
  await context.route('https://huggingface.co/**', (route) => {
    hubRequests.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  await page.goto('./');
  await expect(page.getByTestId('adapter')).toContainText('GPU:', { timeout: 60_000 });
  await loadDemoModel(page);
  const demoName = await page.getByTestId('model-name').textContent();

  await page.getByLabel('Hugging Face Hub').check();
  const repo = page.getByLabel('Hub repository');
  await repo.fill('SmolLM2-135M');
  await expect(page.getByText(/exactly one "\/"/)).toBeVisible();
  await page.getByRole('button', { name: /Reload model|Load model/ }).click();
  await expect(page.getByRole('alert')).toContainText('exactly one "/"');
  expect(hubRequests).toEqual([]);

  // Suggested models with their sizes, before any request.
  const suggested = page.getByRole('table', { name: 'Suggested models' });
  await expect(suggested).toContainText('HuggingFaceTB/SmolLM2-135M');
  await expect(suggested.getByRole('row', { name: /SmolLM2-135M/ })).toContainText('134.52 M');
  await expect(suggested.getByRole('row', { name: /Llama-3.2-1B/ })).toContainText('1.24 B');
  expect(hubRequests).toEqual([]);
  await page.getByRole('button', { name: 'Use HuggingFaceTB/SmolLM2-135M' }).click();
  await expect(repo).toHaveValue('HuggingFaceTB/SmolLM2-135M');
  await page.getByRole('button', { name: /Reload model|Load model/ }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Cannot reach the Hub (offline?)', { timeout: 60_000 });
  await expect(page.getByText(/Cannot reach the Hub/)).toHaveCount(1);
  await expect(page.locator('body')).not.toContainText(/partial download|resumes/);
  expect(hubRequests.length).toBeGreaterThan(0);
  // The demo model is still the loaded one.
  await expect(page.getByTestId('model-name')).toHaveText(demoName ?? '');

  await page.getByLabel('Built-in demo model (offline)').check();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('model-name')).toHaveText(demoName ?? '');
});
