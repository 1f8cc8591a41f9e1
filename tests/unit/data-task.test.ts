// Task loading and validation: every demo row validates; bad rows give messages that say what
// to fix and do not throw the good rows away; task.json problems are all listed at once.
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { loadTaskFromFiles, parseTask, buildTask } from '../../src/engine/data/parse';
import { TaskSpecError, validateSpec } from '../../src/engine/data/validate';
import { loadBuiltinTask, BUILTIN_TASKS } from '../../src/engine/data/registry';
import type { TaskSpec } from '../../src/engine/data/task';
import { DEMO_DATA, DEMO_TASKS, readText } from '../fixtures/data-demo';

const demoFiles = (name: string) =>
  ['task.json', 'train.jsonl', 'dev.jsonl'].map((f) => ({ name: `${name}/${f}`, text: readText(resolve(DEMO_DATA, name, f)) }));

const clsSpec: TaskSpec = {
  name: 't',
  type: 'classification',
  prompt_template: '{text}\nThis is a kind of',
  label_words: [' animal', ' plant'],
  labels: ['animal', 'plant'],
};

describe('demo tasks', () => {
  it.each(DEMO_TASKS)('%s: every row of every split validates', (name) => {
    const task = loadTaskFromFiles(demoFiles(name));
    expect(task.problems).toEqual([]);
    const counts = JSON.parse(readText(resolve(DEMO_DATA, name, 'task.json'))).splits;
    expect(task.splits.train.length).toBe(counts.train);
    expect(task.splits.dev.length).toBe(counts.dev);
    expect(task.spec.name).toBe(name);
  });

  it('classification labels stay integer indices', () => {
    const task = loadTaskFromFiles(demoFiles('wn-topic4'));
    const labels = new Set(task.splits.train.map((r) => r.label));
    expect([...labels].sort()).toEqual([0, 1, 2, 3]);
  });

  it('the registry loads every built-in task through an injected fetch', async () => {
    for (const entry of BUILTIN_TASKS) {
      const urls: string[] = [];
      const task = await loadBuiltinTask(entry.name, `${DEMO_DATA}/`, async (url) => {
        urls.push(url);
        return readText(url);
      });
      expect(task.problems).toEqual([]);
      expect(task.spec.type).toBe(entry.type);
      expect(urls).toContain(`${DEMO_DATA}/${entry.name}/task.json`);
    }
    await expect(loadBuiltinTask('nope', DEMO_DATA, async () => '')).rejects.toThrow(/no built-in task 'nope'/);
  });
});

describe('row validation', () => {
  const jsonl = (rows: unknown[]) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');

  it('keeps good rows and reports each bad one by line', () => {
    const text = jsonl([
      { text: 'a small dog', label: 0 },
      { label: 1 },
      { text: '   ', label: 0 },
      { text: 'a tree', label: 2 },
      '{not json',
      { text: 'an oak', label: 'plant' },
      { text: 'a fern', label: '1' },
      { text: 'a cat', label: 'fish' },
      { text: 'a rose' },
      { text: ['x'], label: 1 },
      '',
      '[1, 2]',
      { text: 'a moss', label: 1.5 },
      { text: 'a pine', label: ' plant' },
    ]);
    const task = buildTask(clsSpec, { train: text });
    expect(task.splits.train).toEqual([
      { text: 'a small dog', label: 0 },
      { text: 'an oak', label: 1 },
      { text: 'a fern', label: 1 },
      { text: 'a pine', label: 1 },
    ]);
    const byRow = Object.fromEntries(task.problems.map((p) => [p.row, p.message]));
    expect(task.problems.every((p) => p.split === 'train')).toBe(true);
    expect(byRow[2]).toBe("row 2: field 'text' is missing; the template uses {text}");
    expect(byRow[3]).toBe("row 3: field 'text' is empty; the template uses {text}");
    expect(byRow[4]).toBe("row 4: label 2 is not a label index; use an integer from 0 to 1 or one of 'animal', 'plant'");
    expect(byRow[5]).toMatch(/^row 5: not valid JSON \(.*\); each line must be one JSON object$/);
    // A word label is answered with the label words, not an index range.
    expect(byRow[8]).toBe("row 8: label 'fish' is not one of the task's labels ('animal', 'plant'); add it to the label set or fix the row");
    expect(byRow[9]).toBe("row 9: field 'label' is missing; give the index of the right label word (0 to 1)");
    expect(byRow[10]).toBe("row 10: field 'text' is a list, not text; the template uses {text}");
    expect(byRow[11]).toBeUndefined(); // blank line: skipped, still counted
    expect(byRow[12]).toMatch(/^row 12: is not a JSON object/);
    expect(byRow[13]).toMatch(/^row 13: label 1.5 is not a label index/);
    expect(task.problems.length).toBe(9);
  });

  it('preference rows need prompt, chosen and rejected', () => {
    const spec = validateSpec(JSON.parse(readText(resolve(DEMO_DATA, 'wn-define-pref', 'task.json'))));
    const text = jsonl([
      { prompt: 'Define "oak":', chosen: ' a tree', rejected: ' a fish' },
      { prompt: 'Define "oak":', chosen: ' a tree' },
      { chosen: ' a tree', rejected: ' a fish' },
      { prompt: 'Define "oak":', chosen: '', rejected: ' a fish' },
    ]);
    const task = buildTask(spec, { dev: text });
    expect(task.splits.dev.length).toBe(1);
    expect(task.problems.map((p) => p.message)).toEqual([
      "row 2: field 'rejected' is missing; preference rows need prompt, chosen and rejected",
      "row 3: field 'prompt' is missing; preference rows need prompt, chosen and rejected",
      "row 4: field 'chosen' is empty; preference rows need prompt, chosen and rejected",
    ]);
  });

  it('generation rows need the answer field', () => {
    const spec: TaskSpec = { name: 'g', type: 'generation', prompt_template: 'Q: {question}\nA:', answer_field: 'answer' };
    const task = buildTask(spec, { train: jsonl([{ question: 'why?', answer: ' because' }, { question: 'how?' }]) });
    expect(task.splits.train.length).toBe(1);
    expect(task.problems.map((p) => p.message)).toEqual(["row 2: field 'answer' is missing; it is the task's answer_field"]);
  });

  it('says so when a split has no valid row at all', () => {
    const task = buildTask(clsSpec, { dev: jsonl([{ label: 0 }]) });
    expect(task.problems.at(-1)).toEqual({ split: 'dev', row: 0, message: "no valid rows in split 'dev'; fix the problems above" });
  });
});

describe('task.json validation', () => {
  it('lists every problem at once', () => {
    const bad = { name: '', type: 'regression', prompt_template: '{text' };
    try {
      validateSpec(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TaskSpecError);
      const problems = (e as TaskSpecError).problems;
      expect(problems.length).toBe(3);
      expect(problems[1]).toBe('"type" is "regression"; use one of "classification", "preference", "generation"');
      expect(problems[2]).toMatch(/unclosed "\{" at character 1/);
    }
  });

  it('needs label words for classification, matching labels, and an answer field for generation', () => {
    expect(() => validateSpec({ ...clsSpec, label_words: [' a'] })).toThrow(/at least two non-empty strings/);
    expect(() => validateSpec({ ...clsSpec, labels: ['a'] })).toThrow(/"labels" must be 2 strings/);
    expect(() => validateSpec({ ...clsSpec, label_words: [' a', ' a'] })).toThrow(/lists " a" twice/);
    expect(() => validateSpec({ name: 'g', type: 'generation', prompt_template: '{q}' })).toThrow(/answer_field/);
  });

  it('parseTask rejects task.json that is not JSON, loadTaskFromFiles one that is absent', () => {
    expect(() => parseTask('{', {})).toThrow(/^task\.json: its text is .*; expected valid JSON\.$/);
    expect(() => loadTaskFromFiles([{ name: 'train.jsonl', text: '' }])).toThrow(/task\.json is missing \(the files are: train\.jsonl\)/);
  });

  it('loadTaskFromFiles takes CSV splits with a column mapping and ignores other files', () => {
    const files = [
      { name: 'task.json', text: JSON.stringify(clsSpec) },
      { name: 'README.md', text: '# hi' },
      { name: 'train.csv', text: 'sentence,y,id\n"a dog, small",animal,1\nan oak,1,2\n' },
      { name: 'dev.jsonl', text: '{"text": "a cat", "label": 0}\n' },
    ];
    const task = loadTaskFromFiles(files, { sentence: 'text', y: 'label' });
    expect(task.problems).toEqual([]);
    expect(task.splits.train).toEqual([{ text: 'a dog, small', label: 0 }, { text: 'an oak', label: 1 }]);
    expect(task.splits.dev).toEqual([{ text: 'a cat', label: 0 }]);
  });
});
