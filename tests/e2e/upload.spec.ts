// Bring your own data, in the browser: a 3-class CSV stays 3-class (labels read from every row),
// unmapped columns and a template typo are each said once, a bad file is refused and leaves the
// good upload and its edited template as they were, uploads survive a reload, and an unclosed
// CSV quote is reported at its own line with that line's text. No model needed.
import { expect, test, type Page } from './helpers';

function threeClassCsv(): string {
  const lines = ['review,sentiment'];
  // The first rows hold two classes only; the neutral ones come last.
  for (let i = 0; i < 12; i++) lines.push(`"a ${i % 2 ? 'dull' : 'lovely'} film, number ${i}",${i % 2 ? 'negative' : 'positive'}`);
  for (let i = 12; i < 20; i++) lines.push(`an ordinary film number ${i},neutral`);
  return lines.join('\n');
}

const upload = (page: Page, name: string, text: string) =>
  page.getByLabel('Upload JSONL or CSV').setInputFiles({ name, mimeType: name.endsWith('.csv') ? 'text/csv' : 'application/json', buffer: Buffer.from(text) });

test('a 3-class CSV, problems said once, a bad upload leaves the good task, uploads kept after a reload', async ({ page }) => {
  await page.goto('./');
  await expect(page.getByTestId('adapter')).toContainText('GPU:', { timeout: 60_000 });
  await expect(page.getByTestId('task-rows')).toContainText('train');

  // Columns the app cannot guess: one message naming them, no per-row problems.
  await upload(page, 'reviews.csv', threeClassCsv());
  const taskPanel = page.locator('section', { has: page.getByRole('heading', { name: '2 · Task' }) });
  await expect(taskPanel.getByRole('alert')).toHaveText('Map the columns: this file has review, sentiment; pick the column for “text” and “label” above.');
  await expect(page.getByTestId('task-problems')).toHaveCount(0);
  await page.getByLabel('Column for “text”').selectOption('review');
  await page.getByLabel('Column for “label”').selectOption('sentiment');

  // Three classes, from every row.
  await expect(page.getByTestId('labels-found')).toHaveText('Labels in the file (all 20 rows): positive (6), negative (6), neutral (8)');
  await expect(page.getByLabel('Labels', { exact: true })).toHaveValue('positive, negative, neutral');
  await expect(page.getByTestId('task-rows')).toContainText('Valid rows: 16 train · 4 dev');
  await expect(page.getByTestId('task-problems')).toHaveCount(0);

  // A template typo: one message, the template stays editable.
  const template = page.getByLabel('Prompt template');
  await template.fill('{txt}\nThe answer is');
  await expect(taskPanel.getByRole('alert')).toHaveText('The template uses {txt}, which is not a column; the columns are {text}. Fix the template, or map a column to that name.');
  await template.fill('Review: {text}\nSentiment:');
  await expect(page.getByTestId('prompt-preview')).toContainText('Review: a lovely film, number 0');

  // A bad file is refused with the reason; the good upload and its edited template stay.
  await upload(page, 'broken.csv', 'review,sentiment\n,positive\n,negative\n');
  await expect(taskPanel.getByRole('alert')).toContainText('broken.csv was not loaded');
  await expect(taskPanel.getByRole('alert')).toContainText('“reviews.csv” is unchanged');
  await expect(page.getByLabel('Task', { exact: true }).locator('option:checked')).toHaveText('Uploaded: reviews.csv');
  await expect(template).toHaveValue('Review: {text}\nSentiment:');
  await expect(page.getByTestId('task-rows')).toContainText('Valid rows: 16 train · 4 dev');

  // A reload keeps the upload, its mapping, labels and template.
  await page.waitForTimeout(500); // the save waits for typing to pause (300 ms)
  await page.reload();
  await expect(page.getByTestId('adapter')).toContainText('GPU:', { timeout: 60_000 });
  await page.getByLabel('Task', { exact: true }).selectOption({ label: 'Uploaded: reviews' });
  await expect(page.getByLabel('Prompt template')).toHaveValue('Review: {text}\nSentiment:');
  await expect(page.getByTestId('labels-found')).toContainText('neutral (8)');
  await expect(page.getByTestId('task-rows')).toContainText('Valid rows: 16 train · 4 dev');

  // An unclosed quote on line 12 is reported there, with line 12's text.
  const lines = ['text,label'];
  for (let i = 2; i <= 20; i++) lines.push(i === 12 ? '"Great movie, really,positive' : i === 15 ? '"Bad" film,negative' : `film ${i},${i % 2 ? 'negative' : 'positive'}`);
  await upload(page, 'quotes.csv', lines.join('\n'));
  await expect(page.getByTestId('task-problems')).toContainText('train line 12: the quote opened on this line ("Great movie, really,positive) closes only on line 15');

  // Deleting an upload removes it from the list.
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete this upload' }).click();
  await expect(page.getByLabel('Task', { exact: true }).locator('option', { hasText: 'quotes' })).toHaveCount(0);
  await expect(page.getByLabel('Task', { exact: true }).locator('option', { hasText: 'Uploaded: reviews' })).toHaveCount(1);
});
