// Where the tests' reference data lives: the repository's own copies in public/ (a bare clone has
// nothing beside it). ../shared is read by one test only, public-matches-shared.test.ts, which
// checks that these copies have not drifted from the team's reference folder when it exists.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEMO_MODEL = join(REPO_ROOT, 'public', 'demo-model');
export const DEMO_DATA = join(REPO_ROOT, 'public', 'demo-data');
/** The team's reference folder beside the checkout; absent on a user's clone. Only the drift check reads it. */
export const SHARED_REFERENCE = process.env.ZO_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared');
/** The production build the browser tests run against (relative to the repository root; tests/e2e/staticHost.spec.ts serves it too). */
export const E2E_DIST = 'node_modules/.cache/zo-e2e-dist';
/** Older name of DEMO_MODEL, kept while branches that use it merge. */
export const PUBLIC_DEMO_MODEL = DEMO_MODEL;
