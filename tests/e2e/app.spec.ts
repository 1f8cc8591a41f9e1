// The app opens cleanly with WebGPU on: no console errors, the adapter named in the header,
// the demo model and demo task preselected.
import { expect, test } from './helpers';

test('loads with no console errors and names the WebGPU adapter', async ({ page }) => {
  await page.goto('./');
  await expect(page.getByRole('heading', { name: 'ZO Studio', level: 1 })).toBeVisible();
  await expect(page.getByTestId('adapter')).toContainText(/GPU: .*swiftshader/i, { timeout: 60_000 });
  await expect(page.getByLabel('Built-in demo model (offline)')).toBeChecked();
  await expect(page.getByLabel('Task', { exact: true })).toHaveValue('wn-animal-plant');
  await expect(page.getByTestId('prompt-preview')).toContainText('This is a kind of');
  await expect(page.getByRole('button', { name: '▶ Train the demo' })).toBeEnabled();
});
