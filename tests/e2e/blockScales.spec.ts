// Learned block variances in the app on SwiftShader: learn them for the demo model in full mode on
// a small subset (two tensors, batch 2, so the probes take seconds), train with them, and find
// the profile again after a reload, ready to switch on for the same model and mode.
import { expect, test, fill, loadDemoModel, pickTask } from './helpers';

test('learn block variances once, train with them, reuse them after a reload', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('./');
  await expect(page.getByTestId('adapter')).toContainText('GPU:', { timeout: 60_000 });
  await loadDemoModel(page);
  await pickTask(page, 'wn-animal-plant');
  await page.getByLabel('Mode', { exact: true }).selectOption('full');
  await fill(page, 'Layers to train', '0');
  await fill(page, 'Projections to train', 'q,v');
  await fill(page, 'Batch size', '2');
  await fill(page, 'Steps', '2');
  await fill(page, 'Eval every', '0');

  const use = page.getByRole('checkbox', { name: /Use learned block variances/ });
  await expect(use).toBeDisabled(); // nothing learned for this model and mode yet
  await page.getByRole('button', { name: 'Learn for this model and mode' }).click();
  const panel = page.getByTestId('block-scales');
  await expect(panel).toContainText('2 blocks, scales', { timeout: 180_000 });
  await expect(panel).toContainText('learned on wn-animal-plant');
  await expect(use).toBeChecked(); // learning switches them on

  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByRole('status', { name: 'Run status' })).toContainText('finished', { timeout: 180_000 });
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', '2');

  // Another subset is another set of tensors: the profile does not apply there.
  await fill(page, 'Projections to train', 'q');
  await expect(use).toBeDisabled();
  await expect(use).not.toBeChecked();

  // After a reload the profile is still there for the same model and mode.
  await page.reload();
  await expect(page.getByTestId('adapter')).toContainText('GPU:', { timeout: 60_000 });
  await loadDemoModel(page);
  await page.getByLabel('Mode', { exact: true }).selectOption('full');
  await fill(page, 'Layers to train', '0');
  await fill(page, 'Projections to train', 'q,v');
  await expect(page.getByTestId('block-scales')).toContainText('2 blocks, scales');
  await expect(use).toBeEnabled();
  await use.check();
  await expect(use).toBeChecked();
});
