// ZO-DPO's few-step check (tests/helpers/dpoFewSteps.ts) on a tiny random model that uses the demo
// tokenizer (2 layers, hidden 64, a third of the demo model's width and depth); the same check on
// the demo model is tests/experiments/dpoDemo.test.ts (npm run test:experiments).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { writeTinyDemoModel } from '../fixtures/tinyModel';
import { describeDpoFewSteps } from '../helpers/dpoFewSteps';

const dir = mkdtempSync(join(tmpdir(), 'zo-dpo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeDpoFewSteps(() => {
  writeTinyDemoModel(dir);
  return dir;
});
