// A base URL where nothing listens (wrong port, server down) is not reported as CORS: the
// rephrase panel says no server answers. (rephrase.spec.ts covers the real CORS refusal.)
import { createServer } from 'node:net';
import { expect, test, fill } from './helpers';

/** A port that was free a moment ago and has nothing listening on it now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('a refused connection is told apart from a CORS refusal', async ({ page, pageErrors }) => {
  await page.goto('./');
  await expect(page.getByRole('region', { name: /OAT-Rephrase/ })).toBeVisible({ timeout: 60_000 });
  const origin = `http://127.0.0.1:${await closedPort()}`;
  await fill(page, 'Base URL', `${origin}/v1`);
  await fill(page, 'Model', 'llama3.2');
  await page.getByRole('button', { name: 'Test connection' }).click();
  const result = page.getByRole('status', { name: 'Connection result' });
  await expect(result).toContainText(`No server answers. Nothing answers at ${origin}`);
  await expect(result).not.toContainText('CORS');
  // The browser logs the refused request itself: provoked on purpose, claimed here.
  pageErrors.expected(/ERR_CONNECTION_REFUSED/, 'the test connection to a closed port');
});
