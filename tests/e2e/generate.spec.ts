// "Try the model" on SwiftShader WebGPU: the box is disabled until a model is loaded, then a
// greedy (temperature 0) request through the worker streams a non-empty continuation of the
// demo model's base weights; it is disabled while a run trains and samples the run's weights
// once the run is paused. No console errors.
import { expect, test, loadDemoModel } from './helpers';

test('generates a continuation with the loaded demo model', async ({ page }) => {
  test.setTimeout(400_000);
  await page.goto('./');
  await expect(page.getByTestId('adapter')).toContainText('GPU:', { timeout: 60_000 });

  const box = page.getByRole('region', { name: 'Try the model' });
  const generate = box.getByRole('button', { name: 'Generate', exact: true });
  await expect(generate).toBeDisabled();
  await expect(box).toContainText('Load a model first');

  await loadDemoModel(page);

  await box.getByLabel('Prompt to continue').fill('Define "dog":');
  await box.getByLabel('Max new tokens', { exact: true }).fill('8');
  await box.getByLabel('Temperature', { exact: true }).fill('0');
  await expect(box.getByTestId('generate-weights')).toContainText('base model');
  await expect(generate).toBeEnabled();
  await generate.click();

  await expect(box.getByTestId('generate-status')).toContainText(/end-of-text|new tokens/, { timeout: 300_000 });
  await expect(generate).toBeEnabled();
  await expect(box.getByTestId('generate-status')).toContainText('from base model');
  const text = (await box.getByTestId('generated-text').textContent()) ?? '';
  expect(text.trim().length, `generated: ${JSON.stringify(text)}`).toBeGreaterThan(0);
  await expect(box.getByTestId('generated-output')).toContainText('Define "dog":');

  // While a run trains the box is disabled with a hint; once paused it samples the run's weights.
  await page.getByLabel('Task', { exact: true }).selectOption('wn-animal-plant');
  await expect(page.getByTestId('task-rows')).toContainText('on the engine');
  for (const [label, value] of [['Steps', '40'], ['Batch size', '2'], ['Eval every', '0']]) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByRole('status', { name: 'Run status' })).toContainText('running', { timeout: 60_000 });
  await expect(generate).toBeDisabled();
  await expect(box).toContainText('A run is training');
  await expect.poll(async () => Number(/step (\d+)/.exec((await page.getByTestId('step-counter').textContent()) ?? '')?.[1] ?? 0), { timeout: 300_000 }).toBeGreaterThanOrEqual(1);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('status', { name: 'Run status' })).toContainText('paused', { timeout: 120_000 });
  await expect(box.getByTestId('generate-weights')).toContainText('trained weights');
  await expect(generate).toBeEnabled();
  await generate.click();
  await expect(box.getByTestId('generate-status')).toContainText(/end-of-text|new tokens/, { timeout: 300_000 });
  await expect(box.getByTestId('generate-status')).toContainText('from trained weights');
  expect(((await box.getByTestId('generated-text').textContent()) ?? '').trim().length).toBeGreaterThan(0);
});
