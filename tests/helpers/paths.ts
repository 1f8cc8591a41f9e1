// Where the tests' reference data lives: the repository's own copies in public/ (a bare clone has
// nothing beside it). The team's reference folder is named by one test only,
// tests/unit/public-matches-shared.test.ts, which checks that these copies have not drifted from it.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEMO_MODEL = join(REPO_ROOT, 'public', 'demo-model');
export const DEMO_DATA = join(REPO_ROOT, 'public', 'demo-data');
/** The production build the browser tests run against (relative to the repository root; tests/e2e/staticHost.spec.ts serves it too). */
export const E2E_DIST = 'node_modules/.cache/zo-e2e-dist';
