// Runs the browser forward benchmark (scripts/bench/browser/forward.html) the way the e2e tests
// run the app: Debian's Chromium through Playwright, headless, WebGPU on SwiftShader. The page is
// served by the bench's own Vite dev server (the app's config: TypeScript, WGSL ?raw imports and
// module workers resolve as in the app) with COOP/COEP headers, because onnxruntime-web's threads
// (and ZO Studio's worker pool) need a cross-origin isolated page for SharedArrayBuffer.
import { createServer as createNetServer } from 'node:net';
import { join, relative } from 'node:path';
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import { CHROMIUM_PATH, QUIET_FLAGS, WEBGPU_FLAGS } from '../../tests/helpers/chromium';
import type { BrowserForwardResult } from './browser/forward';
import { formatSpread, median } from './peers/stats';

export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function benchBrowserForward(root: string, onnx: string, log: (s: string) => void, rounds = 3): Promise<Record<string, number>> {
  const port = await freePort();
  const server = await createServer({
    root,
    configFile: join(root, 'vite.config.ts'),
    server: { host: '127.0.0.1', port, strictPort: true, headers: ISOLATION_HEADERS, open: false },
    logLevel: 'warn',
  });
  await server.listen();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...WEBGPU_FLAGS, ...QUIET_FLAGS] });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') log(`  page console: ${m.text()}`);
    });
    const url = `http://127.0.0.1:${port}/scripts/bench/browser/forward.html?onnx=/${relative(root, onnx)}&rounds=${rounds}`;
    await page.goto(url);
    await page.waitForFunction(() => window.benchResult || window.benchError, null, { timeout: 1_200_000, polling: 1000 });
    const error = await page.evaluate(() => window.benchError);
    if (error) throw new Error(`browser forward bench: ${error}`);
    const r = (await page.evaluate(() => window.benchResult))!;
    log(`browser (headless Chromium, one page, cross-origin isolated ${r.crossOriginIsolated}; WebGPU adapter: ${r.adapter ?? 'none'}); ONNX twin vs golden.json ${r.goldenMaxLogitDiff.toExponential(2)}`);
    for (const [side, byBatch] of Object.entries(r.tokensPerSecond)) {
      log(`  ${side}: ${Object.entries(byBatch).map(([b, xs]) => `${b} x 32 ${median(xs).toFixed(0)} tokens/s (range ${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`).join('; ')}`);
    }
    const out: Record<string, number> = {};
    for (const [pair, byBatch] of Object.entries(r.ratios as BrowserForwardResult['ratios'])) {
      log(`  ${pair}: ${Object.entries(byBatch).map(([b, s]) => `${b} x 32 ${formatSpread(s, 3)}`).join('; ')}`);
      for (const [b, s] of Object.entries(byBatch)) out[`browserForward_${pair.replace(/\W+/g, '')}_b${b}`] = s.median;
    }
    return out;
  } finally {
    await browser.close();
    await server.close();
  }
}
