// The template editor's preview of one row, and the task summary the engine reports.
import { beforeAll, describe, expect, it } from 'vitest';
import { previewRow } from '../../src/engine/data/preview';
import { buildTask, summarizeTask } from '../../src/engine/data/parse';
import type { TaskSpec } from '../../src/engine/data/task';
import type { Tokenizer } from '../../src/engine/data/tokenizer';
import { demoTokenizer } from '../fixtures/data-demo';

let tok: Tokenizer;
beforeAll(async () => {
  tok = await demoTokenizer();
});

const spec: TaskSpec = { name: 'p', type: 'classification', prompt_template: '{text}\nThis is a kind of', label_words: [' animal', ' plant'], labels: ['animal', 'plant'] };

describe('previewRow', () => {
  it('shows the prompt tokens and each candidate, marking the right one', () => {
    const p = previewRow(spec, { text: 'a member of the genus Canis', label: 'animal' }, tok);
    expect(p.error).toBeNull();
    expect(p.prompt).toBe('a member of the genus Canis\nThis is a kind of');
    expect(p.promptTokens.slice(0, 3)).toEqual([{ id: 1, text: '<s>' }, { id: 100, text: 'a' }, { id: 1372, text: ' member' }]);
    expect(p.continuations).toEqual([
      { text: ' animal', tokens: [{ id: 449, text: ' animal' }], correct: true, fallback: false },
      { text: ' plant', tokens: [{ id: 417, text: ' plant' }], correct: false, fallback: false },
    ]);
  });

  it('returns template and row problems as an error instead of throwing', () => {
    expect(previewRow({ ...spec, prompt_template: '{txt} is' }, { text: 'x', label: 0 }, tok).error).toMatch(/uses \{txt\}/);
    expect(previewRow({ ...spec, prompt_template: '{text' }, { text: 'x', label: 0 }, tok).error).toMatch(/unclosed/);
    expect(previewRow(spec, { text: 'x', label: 7 }, tok).error).toMatch(/label 7 is not a label index/);
  });

  it('previews preference and generation rows', () => {
    const pref: TaskSpec = { name: 'd', type: 'preference', prompt_template: 'Define "{lemma}":' };
    const p = previewRow(pref, { prompt: 'Define "oak":', chosen: ' a tree', rejected: ' a fish' }, tok);
    expect(p.continuations.map((c) => [c.text, c.correct])).toEqual([[' a tree', true], [' a fish', false]]);
    const gen: TaskSpec = { name: 'g', type: 'generation', prompt_template: 'Q: {q}\nA:', answer_field: 'a' };
    expect(previewRow(gen, { q: 'why' }, tok).error).toBe("field 'a' is missing; it is the task's answer_field");
  });
});

describe('summarizeTask', () => {
  it('counts rows per split and passes the problems on', () => {
    const task = buildTask(spec, { train: '{"text": "a", "label": 0}\n{"label": 1}', dev: '{"text": "b", "label": 1}' });
    const s = summarizeTask(task);
    expect(s).toEqual({ name: 'p', type: 'classification', splits: { train: 1, dev: 1 }, problems: task.problems });
    expect(s.problems.length).toBe(1);
  });
});
