// `npm test` starts with scripts/preflight.mjs: on a machine without Chromium (or the Vulkan
// loader, or a driver) it must stop at once, name what is missing and print the one command that
// installs it; on this machine, which has them, it passes.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths';

const preflight = (env: Record<string, string>) =>
  spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'preflight.mjs')], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });

describe('preflight', () => {
  it('stops with the install command when Chromium is missing', () => {
    const started = performance.now();
    const r = preflight({ ZO_CHROMIUM: '/nonexistent/chromium' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Chromium is missing (looked for /nonexistent/chromium');
    expect(r.stderr).toContain('sudo apt-get install -y --no-install-recommends chromium libvulkan1 fonts-dejavu-core');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('passes where Chromium, the Vulkan loader and an adapter are present', () => {
    const r = preflight({});
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
