// Where the shared reference data lives: ../shared beside the checkout (CI clones it there too).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = process.env.ZO_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared');
export const PUBLIC_DEMO_MODEL = join(REPO_ROOT, 'public', 'demo-model');
