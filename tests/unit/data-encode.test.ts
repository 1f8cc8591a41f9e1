// MeZO-style encoding on the demo tokenizer and tasks: candidates are the tokens the label word
// adds after the prompt; every demo label word is one token (task.json's label_token_ids);
// preference responses extend the prompt's tokens for every row (task.json's claim).
import { beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { encodeClassification, encodeLm, encodePreference } from '../../src/engine/data/encode';
import { analyzeCandidates } from '../../src/engine/data/candidates';
import { loadTaskFromFiles } from '../../src/engine/data/parse';
import type { ParsedTask, TaskSpec } from '../../src/engine/data/task';
import type { Tokenizer } from '../../src/engine/data/tokenizer';
import { DEMO_DATA, demoTokenizer, readText } from '../fixtures/data-demo';

const load = (name: string): ParsedTask =>
  loadTaskFromFiles(['task.json', 'train.jsonl', 'dev.jsonl'].map((f) => ({ name: f, text: readText(resolve(DEMO_DATA, name, f)) })));

let tok: Tokenizer;
beforeAll(async () => {
  tok = await demoTokenizer();
});

describe('classification', () => {
  it('encodes the README example: prompt with <s>, one token per label word', () => {
    const task = load('wn-animal-plant');
    const enc = encodeClassification(task.spec, { text: 'a member of the genus Canis', label: 0 }, tok);
    expect(enc.promptIds).toEqual([1, 100, 1372, 264, 289, 434, 2572, 265, 13, 2408, 279, 259, 294, 264]);
    expect(enc.candidates).toEqual([[449], [417]]);
    expect(enc.label).toBe(0);
    expect(enc.fallbacks).toEqual([]);
  });

  it.each(['wn-animal-plant', 'wn-topic4'])('%s: every candidate of every row is the single token task.json lists', (name) => {
    const task = load(name);
    const report = analyzeCandidates(task, tok);
    expect(report.singleToken).toBe(true);
    expect(report.labelTokenIds).toEqual(task.spec.label_token_ids);
    expect(report.fallbacks).toEqual([]);
    expect(report.notes).toEqual([]);
  });

  it('multi-token label words: candidates follow the prompt, the report says so', () => {
    const spec: TaskSpec = { name: 'm', type: 'classification', prompt_template: '{text}\nAnswer:', label_words: [' yes', ' definitely not'] };
    const row = { text: 'is an oak a tree?', label: 1 };
    const enc = encodeClassification(spec, row, tok);
    const full = tok.encode('is an oak a tree?\nAnswer: definitely not');
    expect([...enc.promptIds, ...enc.candidates[1]]).toEqual(full);
    expect(enc.candidates[1].length).toBeGreaterThan(1);
    const report = analyzeCandidates({ spec, splits: { train: [row] } }, tok);
    expect(report.singleToken).toBe(false);
    expect(report.labelTokenIds).toBeNull();
    expect(report.notes[0].message).toMatch(/label word " definitely not" is up to \d+ tokens/);
  });

  it('falls back to the label word alone when BPE merges across the boundary, and records it', () => {
    // The prompt ends in a space token (35); "of " + "animal" tokenizes as "of" + " animal" (449),
    // which does not extend the prompt's tokens. " plant" after the space does: [35, 417].
    const spec: TaskSpec = { name: 'f', type: 'classification', prompt_template: '{text} is a kind of ', label_words: ['animal', ' plant'] };
    const enc = encodeClassification(spec, { text: 'a dog', label: 0 }, tok);
    expect(enc.promptIds).toEqual([1, 100, 1797, 279, 259, 294, 264, 35]);
    expect(tok.encode('a dog is a kind of animal').slice(-2)).toEqual([264, 449]);
    expect(enc.fallbacks).toEqual([0]);
    expect(enc.candidates).toEqual([tok.encode('animal', { addSpecialTokens: false }), [417]]);
    const report = analyzeCandidates({ spec, splits: { train: [{ text: 'a dog', label: 0 }] } }, tok);
    expect(report.fallbacks).toEqual([{ split: 'train', row: 0, labelIndex: 0 }]);
    expect(report.singleToken).toBe(false);
  });

  it('a task.json whose label_token_ids disagree with the tokenizer is noted', () => {
    const task = load('wn-animal-plant');
    const spec = { ...task.spec, label_token_ids: [449, 418] };
    const report = analyzeCandidates({ spec, splits: { dev: task.splits.dev.slice(0, 3) } }, tok);
    expect(report.notes.map((n) => n.message)).toEqual([
      'label_token_ids in task.json are [449, 418] but this tokenizer gives [449, 417]; the tokenizer\'s ids are used',
    ]);
  });
});

describe('preference', () => {
  it('wn-define-pref: prompt + response tokens equal the prompt tokens + response tokens for every row', () => {
    const task = load('wn-define-pref');
    let n = 0;
    for (const rows of Object.values(task.splits)) {
      for (const row of rows) {
        const enc = encodePreference(task.spec, row, tok);
        expect(enc.fallbacks).toEqual([]);
        expect(enc.promptIds[0]).toBe(1);
        expect(enc.chosenIds).toEqual(tok.encode(row.chosen as string, { addSpecialTokens: false }));
        expect(enc.rejectedIds).toEqual(tok.encode(row.rejected as string, { addSpecialTokens: false }));
        n++;
      }
    }
    expect(n).toBe(1200);
  });
});

describe('language-model loss', () => {
  it('masks exactly the answer tokens (and an optional </s>)', () => {
    const spec: TaskSpec = { name: 'g', type: 'generation', prompt_template: 'oak, oak tree (noun, {pos}):', answer_field: 'answer' };
    const row = { pos: 'plant', answer: ' a tree of the genus Quercus' };
    const enc = encodeLm(spec, row, tok);
    expect(enc.ids).toEqual(tok.encode('oak, oak tree (noun, plant): a tree of the genus Quercus'));
    const nPrompt = tok.encode('oak, oak tree (noun, plant):').length;
    expect(enc.lossMask).toEqual(enc.ids.map((_, i) => i >= nPrompt));
    expect(enc.fallback).toBe(false);
    const withEos = encodeLm(spec, row, tok, { appendEos: true });
    expect(withEos.ids.at(-1)).toBe(2);
    expect(withEos.lossMask.at(-1)).toBe(true);
  });

  it('uses the right label word for classification rows and chosen for preference rows', () => {
    const cls = load('wn-topic4');
    const enc = encodeLm(cls.spec, { text: 'a female lion', label: 0 }, tok);
    expect(enc.ids.at(-1)).toBe(449);
    expect(enc.lossMask.filter(Boolean).length).toBe(1);
    const pref = load('wn-define-pref');
    const row = pref.splits.dev[0];
    const p = encodeLm(pref.spec, row, tok);
    expect(p.ids).toEqual(tok.encode((row.prompt as string) + (row.chosen as string)));
  });
});
