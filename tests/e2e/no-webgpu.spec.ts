// Run in the `no-webgpu` project: the same browser launched without WebGPU shows a full-page
// message naming the browsers and flags that work.
import { expect, test } from './helpers';

test('explains which browsers and flags give WebGPU', async ({ page }) => {
  await page.goto('./');
  await expect(page.getByRole('heading', { name: 'ZO Studio needs WebGPU' })).toBeVisible();
  const main = page.getByRole('main');
  await expect(main).toContainText('Chrome or Edge 113');
  await expect(main).toContainText('--enable-unsafe-webgpu');
  await expect(main).toContainText('Vulkan');
  await expect(main).toContainText('Safari 26');
  await expect(main).toContainText('Firefox 141');
  await expect(page.getByRole('button', { name: 'Start training' })).toHaveCount(0);
});
