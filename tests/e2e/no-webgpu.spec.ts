// Run in the `no-webgpu` project: the same browser launched without WebGPU. The automatic backend
// runs the app on the CPU: a banner says there is no WebGPU and where it works, the header names
// the CPU backend and why; choosing WebGPU explicitly leaves the engine waiting with a banner that
// offers the CPU backend, which switches back to a working app.
import { expect, test } from './helpers';

test('without WebGPU the app runs on the CPU backend, under a banner naming the browsers and flags that give WebGPU', async ({ page }) => {
  await page.goto('./');
  const banner = page.getByRole('status').filter({ hasText: 'No WebGPU in this browser' });
  await expect(banner).toBeVisible({ timeout: 60_000 });
  await expect(banner).toContainText('runs on the CPU');
  await banner.getByText('Where WebGPU works').click();
  for (const text of ['Chrome or Edge 113', '--enable-unsafe-webgpu', 'Vulkan', 'Safari 26', 'Firefox 141']) await expect(banner).toContainText(text);
  await expect(page.getByTestId('adapter')).toContainText('CPU backend');
  await expect(page.getByTestId('adapter')).toContainText('no WebGPU adapter was found');
  await expect(page.getByRole('button', { name: 'Start training' })).toBeVisible();

  // WebGPU chosen explicitly: the engine cannot start; the banner offers the CPU backend.
  await page.getByLabel('Backend').selectOption('webgpu');
  const alert = page.getByRole('alert').filter({ hasText: 'needs WebGPU for the backend you chose' });
  await expect(alert).toBeVisible({ timeout: 60_000 });
  await alert.getByRole('button', { name: 'Use the CPU backend' }).click();
  await expect(page.getByTestId('adapter')).toContainText('CPU backend', { timeout: 60_000 });
  await expect(page.getByLabel('Backend')).toHaveValue('cpu');
  // The choice is kept: back to automatic for the next test's page.
  await page.getByLabel('Backend').selectOption('auto');
  await expect(banner).toBeVisible({ timeout: 60_000 });
});
