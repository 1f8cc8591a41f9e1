// A single .gguf with nothing beside it, picked with the file button and dropped on the drop
// zone, loads in the app with the tokenizer rebuilt from its metadata, and the loaded-model
// summary says so. The file: a tiny random-weight Llama whose GGUF carries the SentencePiece
// fixture tokenizer (tests/fixtures/tokenizers/spm-bpe.json).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from './helpers';
import { ggufWithTokenizer, spmFixture } from '../fixtures/tokenizerFixtures';

const SOURCE = 'GGUF metadata (SentencePiece BPE with byte fallback)';
const bytes = ggufWithTokenizer(spmFixture());
let dir: string;
let file: string;

test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'zo-e2e-gguf-'));
  file = join(dir, 'tiny-spm.F32.gguf');
  writeFileSync(file, bytes);
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function openLocalFiles(page: Page) {
  await page.goto('./');
  await expect(page.getByTestId('adapter')).toContainText(/GPU:/i, { timeout: 60_000 });
  await page.getByLabel('Local folder or .gguf file').check();
}

async function loadAndExpectGgufTokenizer(page: Page) {
  await expect(page.getByText('Selected: tiny-spm.F32.gguf')).toBeVisible();
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-name')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('tokenizer-source')).toHaveText(SOURCE);
}

test('a .gguf picked with the file button loads with its own tokenizer', async ({ page }) => {
  await openLocalFiles(page);
  await page.getByLabel('Choose a .gguf file').setInputFiles(file);
  await loadAndExpectGgufTokenizer(page);
});

test('a .gguf dropped on the drop zone loads with its own tokenizer', async ({ page }) => {
  await openLocalFiles(page);
  const dataTransfer = await page.evaluateHandle(({ b64, name }) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([data], name));
    return dt;
  }, { b64: Buffer.from(bytes).toString('base64'), name: 'tiny-spm.F32.gguf' });
  await page.getByText('Drop a model folder or a .gguf file here').dispatchEvent('drop', { dataTransfer });
  await loadAndExpectGgufTokenizer(page);
});
