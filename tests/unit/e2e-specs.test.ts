// Every browser spec runs under the shared fixture of tests/e2e/helpers.ts, which fails a test on
// any console error or uncaught page error: a spec importing Playwright's own `test` would run
// without it, and nobody would notice.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(__dirname, '..', 'e2e');

describe('e2e specs', () => {
  it('all take test and expect from ./helpers (the console-error fixture), none from @playwright/test', () => {
    const specs = readdirSync(DIR).filter((f) => f.endsWith('.spec.ts'));
    expect(specs.length).toBeGreaterThan(5);
    const direct = specs.filter((f) => /from '@playwright\/test'/.test(readFileSync(join(DIR, f), 'utf8')));
    expect(direct, 'specs importing @playwright/test directly').toEqual([]);
    const withFixture = specs.filter((f) => /import \{[^}]*\btest\b[^}]*\} from '\.\/helpers'/.test(readFileSync(join(DIR, f), 'utf8')));
    expect(withFixture.sort()).toEqual(specs.sort());
  });
});
