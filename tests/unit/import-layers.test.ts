// The import lint of `npm test` (scripts/checkImports.mjs): it finds a circle and a layer
// violation in a small made-up tree, and finds none in src/.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs script without types
import { checkImports, LAYERS } from '../../scripts/checkImports.mjs';
import { REPO_ROOT } from '../helpers/paths';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'imports-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('import lint', () => {
  it('src/ has no circle, the engine layers point one way and the engine imports nothing from the app', () => {
    expect(checkImports(REPO_ROOT)).toEqual([]);
  });

  it('reports a circle, a layer pointing up, a run-time import of api.ts and an engine import of the store', () => {
    const root = tree({
      'src/engine/session/a.ts': "import { b } from './b';\nexport const a = 1;",
      'src/engine/session/b.ts': "import type { A } from './a';\nexport const b = 2;",
      'src/engine/gpu/kernel.ts': "import { plan } from '../zo/stepPlan';",
      'src/engine/zo/stepPlan.ts': "import { X } from '../api';\nexport const plan = 1;",
      'src/engine/api.ts': 'export interface X { a: number }',
      'src/engine/model/llama.ts': "import { useStudio } from '../../store/state';",
      'src/store/state.ts': 'export const useStudio = 1;',
    });
    const problems: string[] = checkImports(root);
    expect(problems.some((p) => p.startsWith('import circle') && p.includes('session/a.ts') && p.includes('session/b.ts'))).toBe(true);
    // Layer numbers come from LAYERS, so adding a layer (as the backends one was) keeps this test.
    const layer = (unit: string) => (LAYERS as string[][]).findIndex((units) => units.includes(unit));
    expect(problems).toContain(`src/engine/gpu/kernel.ts imports src/engine/zo/stepPlan.ts: gpu (layer ${layer('gpu')}) may not import zo (layer ${layer('zo')})`);
    expect(problems).toContain('src/engine/zo/stepPlan.ts imports api.ts at run time: api.ts holds types only (import type)');
    expect(problems).toContain('src/engine/model/llama.ts imports src/store/state.ts: the engine imports nothing from the app or the CLI');
    expect(problems).toHaveLength(4);
  });
});
