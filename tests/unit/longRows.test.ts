// Rows longer than the model's maximum sequence length are reported one by one with their file
// line and left out, or (longRows: 'truncate') have their prompt cut from the left after <s>,
// keeping every scored token. Exact checks on the demo tokenizer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTaskFromFiles } from '../../src/engine/data/parse';
import { tokenizerFromJson } from '../../src/engine/data/tokenizer';
import { encodeTask } from '../../src/engine/session/encodedTask';
import { batchShape } from '../../src/engine/training/batches';
import { DEMO_MODEL } from '../helpers/paths';

const tok = await tokenizerFromJson(JSON.parse(readFileSync(join(DEMO_MODEL, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(DEMO_MODEL, 'tokenizer_config.json'), 'utf8')));
const spec = { name: 't', type: 'classification', prompt_template: '{text}\nThis is a kind of', label_words: [' animal', ' plant'] };
const long = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
const rows = [{ text: 'a small cat', label: 0 }, { text: 42 }, { text: long, label: 1 }, { text: 'an oak', label: 1 }];
const task = loadTaskFromFiles([
  { name: 'task.json', text: JSON.stringify(spec) },
  { name: 'train.jsonl', text: rows.map((r) => JSON.stringify(r)).join('\n\n') }, // rows on lines 1, 3, 5, 7
]);

describe('rows longer than the model', () => {
  it('are left out by default, each reported with its line', () => {
    const enc = encodeTask(task, tok, { maxSeqLen: 32, longRows: 'skip' });
    expect(task.problems.map((p) => p.row)).toEqual([3]); // the bad row, as before
    expect(enc.splits.train).toHaveLength(2);
    expect(enc.problems).toHaveLength(1);
    expect(enc.problems[0]).toMatchObject({ split: 'train', row: 5 });
    expect(enc.problems[0].message).toMatch(/^row 5: needs \d+ tokens, more than the model's maximum sequence length 32; skipped/);
    expect(enc.maxSeqLen).toBeLessThanOrEqual(32);
  });

  it('are cut from the left when asked, keeping <s> and the label words', () => {
    const whole = encodeTask(task, tok);
    const enc = encodeTask(task, tok, { maxSeqLen: 32, longRows: 'truncate' });
    expect(enc.splits.train).toHaveLength(3);
    expect(enc.problems[0].message).toMatch(/row 5: .* truncated: its first \d+ prompt tokens after <s> were dropped/);
    const [before, after] = [whole.splits.train[1], enc.splits.train[1]];
    if (before.kind !== 'classification' || after.kind !== 'classification') throw new Error('classification rows expected');
    expect(batchShape([after]).seqLen).toBe(32);
    expect(after.enc.promptIds[0]).toBe(before.enc.promptIds[0]);
    expect(after.enc.promptIds.slice(1)).toEqual(before.enc.promptIds.slice(before.enc.promptIds.length - after.enc.promptIds.length + 1));
    expect(after.enc.candidates).toEqual(before.enc.candidates);
  });
});
