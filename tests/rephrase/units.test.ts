// Pure parts of OAT-Rephrase: Retry-After and backoff, strict-JSON parsing, template
// rendering, the word diff, the gate, the A/B helper, key custody and the two stores.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abRunConfigs } from '../../src/rephrase/ab';
import { backoffDelay, parseRetryAfter } from '../../src/rephrase/backoff';
import { sideBySide, wordDiff } from '../../src/rephrase/diff';
import { KeyVault } from '../../src/rephrase/endpoint';
import { FileStore } from '../../src/rephrase/fileStore';
import { MalformedOutput, parseRewrite, parseVerdict } from '../../src/rephrase/parse';
import { DEFAULT_JUDGE_TEMPLATE, DEFAULT_REWRITER_TEMPLATE, renderTemplate, unknownVariables } from '../../src/rephrase/prompts';
import { MemoryStore, namespaced } from '../../src/rephrase/storage';
import type { TrainConfig } from '../../src/engine/api';

describe('Retry-After and backoff', () => {
  it('parses delay-seconds and HTTP dates, ignores junk', () => {
    const now = Date.parse('Sun, 22 Nov 2026 18:00:00 GMT');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sun, 22 Nov 2026 18:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 17:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('doubles per attempt within [nominal/2, nominal], capped', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 500, maxRetryAfterMs: 0 };
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, policy, () => 0))).toEqual([50, 100, 200, 250]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, policy, () => 1))).toEqual([100, 200, 400, 500]);
  });
});

describe('model output parsing', () => {
  it('accepts strict JSON and fenced JSON; rejects prose and missing fields', () => {
    expect(parseRewrite('{"text": "a big cat"}', ['text'])).toEqual({ text: 'a big cat' });
    expect(parseRewrite('```json\n{"text": "x", "extra": 1}\n```', ['text'])).toEqual({ text: 'x' });
    expect(() => parseRewrite('Here you go: a big cat', ['text'])).toThrow(MalformedOutput);
    expect(() => parseRewrite('{"text": ""}', ['text'])).toThrow(/Missing string field "text"/);
    expect(() => parseRewrite('[1,2]', ['text'])).toThrow(MalformedOutput);
    expect(parseVerdict('{"verdict": "Reject", "reason": "label flipped"}')).toEqual({ verdict: 'reject', reason: 'label flipped' });
    expect(() => parseVerdict('{"verdict": "maybe", "reason": "?"}')).toThrow(MalformedOutput);
    expect(() => parseVerdict('{"verdict": "accept"}')).toThrow(/reason/);
  });
});

describe('prompt templates', () => {
  it('fills known variables once, leaving JSON braces and text from rows alone', () => {
    const out = renderTemplate('T={task_description} E={example} {"verdict": 1} {unknown}', { task_description: 'x', example: '{"text":"say {label}"}', label: 'L' });
    expect(out).toBe('T=x E={"text":"say {label}"} {"verdict": 1} {unknown}');
    expect(unknownVariables('{label} {lable} {example}')).toEqual(['lable']);
  });

  it('the defaults explain the ZO estimate, use only known variables, and ask for strict JSON', () => {
    expect(unknownVariables(DEFAULT_REWRITER_TEMPLATE)).toEqual([]);
    expect(unknownVariables(DEFAULT_JUDGE_TEMPLATE)).toEqual([]);
    expect(DEFAULT_REWRITER_TEMPLATE).toMatch(/two loss values/);
    expect(DEFAULT_REWRITER_TEMPLATE).toMatch(/strict JSON/);
    for (const v of ['{task_description}', '{label_words}', '{label}', '{example}', '{fields}']) expect(DEFAULT_REWRITER_TEMPLATE).toContain(v);
    for (const v of ['{example}', '{rewrite}', '{label}']) expect(DEFAULT_JUDGE_TEMPLATE).toContain(v);
  });
});

describe('wordDiff', () => {
  it('marks changed words and rebuilds both texts', () => {
    const a = 'a small genus of Old World grasses';
    const b = 'a genus of grasses from the Old World';
    const parts = wordDiff(a, b);
    const { left, right } = sideBySide(parts);
    expect(left.map((p) => p.text).join('')).toBe(a);
    expect(right.map((p) => p.text).join('')).toBe(b);
    expect(parts.filter((p) => p.op === 'delete').map((p) => p.text.trim())).toContain('small');
    const equalWords = parts.filter((p) => p.op === 'equal').map((p) => p.text).join('').split(/\s+/).filter(Boolean);
    expect(equalWords).toEqual(['a', 'genus', 'of', 'Old', 'World']); // the longest common word subsequence (5 > 4 with 'grasses')
  });

  it('handles empty sides', () => {
    expect(wordDiff('', 'new text')).toEqual([{ op: 'insert', text: 'new text' }]);
    expect(wordDiff('old', '')).toEqual([{ op: 'delete', text: 'old' }]);
    expect(wordDiff('same', 'same')).toEqual([{ op: 'equal', text: 'same' }]);
  });
});

describe('abRunConfigs', () => {
  it('gives two identical, independent configs that differ only in task', () => {
    const config = { mode: 'full', optimizer: 'zo-sgd', objective: 'classification', steps: 100, lr: 1e-6, eps: 1e-3, batch: 16, q: 1, seed: 42, weightDecay: 0, schedule: 'constant', clip: 0, oneSided: false, evalEvery: 10, evalSplit: 'dev', evalLimit: 0, lora: { rank: 8, alpha: 16, targets: ['q'] } } satisfies TrainConfig;
    const [a, b] = abRunConfigs(config, { original: 'wn', rephrased: 'wn-rephrased' }, 'exp1');
    expect(a.config).toEqual(b.config);
    expect(a.config).toEqual(config);
    expect([a.task, b.task, a.runId, b.runId]).toEqual(['wn', 'wn-rephrased', 'exp1-original', 'exp1-rephrased']);
    a.config.lora!.targets.push('v');
    expect(b.config.lora!.targets).toEqual(['q']);
  });
});

describe('key custody and stores', () => {
  it('KeyVault keeps keys in memory unless remembered', async () => {
    const device = new MemoryStore();
    const vault = new KeyVault(device);
    await vault.setKey('https://api.openai.com/v1', 'sk-mem', false);
    expect(await vault.getKey('https://api.openai.com/v1/')).toBe('sk-mem');
    expect(device.data.size).toBe(0);
    expect(await new KeyVault(device).getKey('https://api.openai.com/v1')).toBeUndefined();
    await vault.setKey('https://api.openai.com/v1', 'sk-dev', true);
    expect(await new KeyVault(device).getKey('https://api.openai.com/v1')).toBe('sk-dev');
    await vault.forget('https://api.openai.com/v1');
    expect(device.data.size).toBe(0);
  });

  it('FileStore round-trips values under encoded names; namespaced prefixes keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zo-filestore-'));
    try {
      const store = namespaced(new FileStore(dir), 'job1');
      await store.set('row/train:3', { a: 1 });
      expect(await store.get('row/train:3')).toEqual({ a: 1 });
      expect(await store.get('missing')).toBeUndefined();
      const names = await readdir(dir);
      expect(names).toEqual(['job1%2frow%2ftrain%3a3.json']);
      expect(JSON.parse(await readFile(join(dir, names[0]!), 'utf8'))).toEqual({ a: 1 });
      await store.del('row/train:3');
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
