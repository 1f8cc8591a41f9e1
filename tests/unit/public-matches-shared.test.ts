// The repository's copies of the demo model and demo tasks (public/) must not drift from the
// team's reference folder, ../shared (or $ZO_SHARED_DIR). A user's clone has no such folder:
// there this test is skipped, and every other test reads public/ only. model.bf16.safetensors is
// not copied into public/; tests derive it (tests/fixtures/demoBf16.ts), and this checks the
// derivation reproduces the reference file byte for byte.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BF16_FILE, demoBf16Safetensors } from '../fixtures/demoBf16';
import { REPO_ROOT } from '../helpers/paths';

/** The team's reference folder beside the checkout (or $ZO_SHARED_DIR); absent on a user's clone. */
const SHARED_REFERENCE = process.env.ZO_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared');

const present = existsSync(join(SHARED_REFERENCE, 'demo-model'));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const title = present
  ? `public/ equals the reference folder ${SHARED_REFERENCE}`
  : `public/ vs ${SHARED_REFERENCE}: skipped, no reference folder beside this clone (set ZO_SHARED_DIR to check one)`;

describe.skipIf(!present)(title, () => {
  it.each(['demo-model', 'demo-data'])('public/%s has every reference file, byte for byte', (folder) => {
    const reference = join(SHARED_REFERENCE, folder);
    const copy = join(REPO_ROOT, 'public', folder);
    const names = filesUnder(reference).map((p) => relative(reference, p)).filter((n) => n !== BF16_FILE).sort();
    expect(filesUnder(copy).map((p) => relative(copy, p)).sort()).toEqual(names);
    for (const name of names) expect(readFileSync(join(copy, name)).equals(readFileSync(join(reference, name))), `${folder}/${name} differs from the reference`).toBe(true);
  });

  it(`the derived ${BF16_FILE} equals the reference file`, () => {
    const reference = readFileSync(join(SHARED_REFERENCE, 'demo-model', BF16_FILE));
    expect(Buffer.from(demoBf16Safetensors()).equals(reference)).toBe(true);
  });
});
