// --block-scales FILE: a learn-scales profile or a {tensor: scale} map; a file that is not JSON,
// or a scale that is not a finite number > 0 (which would perturb with NaN or flip a block), is
// an InvalidFileError naming the file and the entry. Exact checks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBlockScales } from '../../src/cli/commands/learnScales';
import { InvalidFileError } from '../../src/engine/files/invalidFile';

const dir = mkdtempSync(join(tmpdir(), 'zo-scales-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe('--block-scales', () => {
  it('reads a profile and a plain map', async () => {
    const profile = { model: 'm', mode: 'full', task: 't', rows: 1, probes: 1, eps: 1e-3, blocks: [{ name: 'a.weight', count: 4, gradEnergy: 1, curvature: 1, scale: 0.5 }] };
    expect(await readBlockScales(file('p.json', JSON.stringify(profile)))).toEqual({ 'a.weight': 0.5 });
    expect(await readBlockScales(file('m.json', '{"a.weight": 2}'))).toEqual({ 'a.weight': 2 });
  });

  it.each([
    ['not JSON', '{"a": ', 'its text'],
    ['a list', '[1, 2]', 'the file (a learn-scales profile or a {tensor name: scale} object; make one with zo-studio learn-scales)'],
    ['a negative scale', '{"a.weight": -1}', '"a.weight"'],
    ['a scale as text', '{"a.weight": "2"}', '"a.weight"'],
    ['a profile block without a scale', '{"blocks": [{"name": "a.weight"}]}', 'blocks[0].scale'],
  ])('refuses %s, naming the entry', async (_name, text, field) => {
    const err = await readBlockScales(file('bad.json', text)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidFileError);
    expect((err as InvalidFileError).field).toBe(field);
    expect((err as InvalidFileError).file).toBe(join(dir, 'bad.json'));
  });
});
