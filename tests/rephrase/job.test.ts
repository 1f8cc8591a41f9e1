// The rephrase job against a real loopback server: the gate keeps exactly the accepted rows,
// failures stay in their row, concurrency is bounded, cancel stops requests, a reload resumes
// without paying twice, and the API key is in no stored record, export or URL.
import { afterEach, describe, expect, it } from 'vitest';
import type { Task } from '../../src/engine/data/task';
import { RephraseJob, type RephraseJobOptions } from '../../src/rephrase/job';
import { MemoryStore } from '../../src/rephrase/storage';
import { exportReviewJsonl, exportTaskFiles } from '../../src/rephrase/taskFiles';
import { goodModel, startOpenAiServer, type RecordedRequest, type ScriptedServer } from '../fixtures/openaiServer';

const KEY = 'sk-job-SECRET-9876543210';
let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function makeTask(texts: string[]): Task {
  return {
    spec: { name: 'toy', type: 'classification', description: 'animal or plant', prompt_template: '{text}\nThis is a kind of', label_words: [' animal', ' plant'] },
    splits: { train: texts.map((text, i) => ({ text, label: i % 2, id: `r${i}` })), dev: [{ text: 'a dev row', label: 0, id: 'd0' }] },
  };
}

const fastConfig = { concurrency: 2, timeoutMs: 300, baseDelayMs: 10, maxDelayMs: 50, maxRetries: 2, malformedRetries: 2 };
const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const textOf = (r: RecordedRequest): string => r.example?.text ?? '';

async function openJob(task: Task, store: MemoryStore, extra: Partial<RephraseJobOptions['config']> = {}): Promise<RephraseJob> {
  return RephraseJob.open({ task, store, apiKey: KEY, config: { rewriter: { baseUrl: server!.baseUrl, model: 'rw' }, judge: { baseUrl: server!.baseUrl, model: 'judge' }, ...fastConfig, ...extra } });
}

describe('RephraseJob', () => {
  it('keeps exactly the accepted rewrites; failures stay in their row', async () => {
    const texts = ['a cat', 'a fern', 'REJECT a dog', 'an oak', 'SLOW a horse', 'REJECT a moss', 'MALFORMED a cow', 'BROKEN a rose', 'FLAKY a bee'];
    let flakyJudged = false;
    let slowSeen = false;
    server = await startOpenAiServer(async (req) => {
      await delay(15);
      const t = textOf(req);
      if (req.kind === 'rewrite' && t.startsWith('MALFORMED')) return { content: 'Sure! Here is a clearer version of the sentence.' };
      if (t.startsWith('BROKEN')) return { status: 500 };
      if (req.kind === 'rewrite' && t.startsWith('SLOW') && !slowSeen) {
        slowSeen = true;
        return { hang: true };
      }
      if (req.kind === 'judge' && t.startsWith('FLAKY') && !flakyJudged) {
        flakyJudged = true;
        return { content: '{"verdict": "accept"}' }; // missing reason: malformed, retried
      }
      return goodModel(req);
    });
    const task = makeTask(texts);
    const store = new MemoryStore();
    const job = await openJob(task, store);
    const events: string[] = [];
    job.subscribe((e) => events.push(e.kind));
    const progress = await job.start();

    expect(job.status).toBe('done');
    expect(progress).toMatchObject({ total: 9, accepted: 5, rejected: 2, failed: 2, pending: 0 });
    expect(progress.acceptanceRate).toBeCloseTo(5 / 7);
    const failed = job.rows().filter((r) => r.status === 'failed');
    expect(failed.map((r) => r.original.text)).toEqual(['MALFORMED a cow', 'BROKEN a rose']);
    expect(failed[0]!.error).toMatch(/unusable after 3 tries/);
    expect(server.requests.filter((r) => textOf(r).startsWith('MALFORMED'))).toHaveLength(3);
    expect(server.requests.filter((r) => textOf(r).startsWith('BROKEN'))).toHaveLength(3); // 1 + maxRetries
    expect(server.maxInFlight).toBe(2);
    expect(events).toContain('retry');

    const replaced = job.rephrasedTask().splits.train!;
    expect(replaced.map((r) => r.text)).toEqual(['Plainly, a cat', 'Plainly, a fern', 'REJECT a dog', 'Plainly, an oak', 'Plainly, SLOW a horse', 'REJECT a moss', 'MALFORMED a cow', 'BROKEN a rose', 'Plainly, FLAKY a bee']);
    expect(replaced.map((r) => [r.label, r.id])).toEqual(task.splits.train!.map((r) => [r.label, r.id]));
    expect(job.rephrasedTask().splits.dev).toEqual(task.splits.dev);

    // usage: every 2xx answer reports 15 tokens, including the malformed ones that were paid for
    const answered = server.requests.filter((r) => !r.aborted && !textOf(r).startsWith('BROKEN')).length;
    expect(progress.usage.total.totalTokens).toBe(15 * answered);

    const augment = await openJob(task, store, { mode: 'augment' });
    const augmented = augment.rephrasedTask().splits.train!;
    expect(augmented).toHaveLength(9 + 5);
    expect(augmented.slice(0, 9)).toEqual(task.splits.train);
    expect(augmented.slice(9).map((r) => r.text)).toEqual(['Plainly, a cat', 'Plainly, a fern', 'Plainly, an oak', 'Plainly, SLOW a horse', 'Plainly, FLAKY a bee']);
  });

  it('manual overrides win over the judge and are persisted', async () => {
    server = await startOpenAiServer(goodModel);
    const task = makeTask(['REJECT a dog', 'a fern']);
    const store = new MemoryStore();
    const job = await openJob(task, store);
    await job.start();
    await job.setOverride('train:0', 'accept');
    await job.setOverride('train:1', 'reject');
    expect(job.rephrasedTask().splits.train!.map((r) => r.text)).toEqual(['Plainly, REJECT a dog', 'a fern']);
    const reopened = await openJob(task, store);
    expect(reopened.rows().map((r) => r.override)).toEqual(['accept', 'reject']);
    expect(reopened.progress().acceptanceRate).toBe(0.5); // the judge's rate, not the overrides
  });

  it('cancel stops new requests and aborts those in flight; rows stay resumable', async () => {
    server = await startOpenAiServer(() => ({ hang: true }));
    const job = await openJob(makeTask(Array.from({ length: 10 }, (_, i) => `row ${i}`)), new MemoryStore(), { concurrency: 3, timeoutMs: 10_000 });
    const done = job.start();
    while (server.requests.length < 3) await delay(5);
    job.cancel();
    const progress = await done;
    expect(job.status).toBe('cancelled');
    await delay(150);
    expect(server.requests).toHaveLength(3);
    expect(server.requests.every((r) => r.aborted)).toBe(true);
    expect(progress).toMatchObject({ pending: 10, failed: 0, inFlight: 0 });
  });

  it('a reload mid-job resumes without re-sending finished rows', async () => {
    server = await startOpenAiServer(async (req) => {
      await delay(5);
      return goodModel(req);
    });
    const task = makeTask(Array.from({ length: 12 }, (_, i) => `row ${i}`));
    const store = new MemoryStore();
    const first = await openJob(task, store, { concurrency: 3 });
    first.subscribe((e) => {
      if (e.kind === 'row' && e.row.status === 'judged' && first.progress().accepted >= 5) first.cancel();
    });
    await first.start();
    expect(first.status).toBe('cancelled');
    const judged = new Set(first.rows().filter((r) => r.status === 'judged').map((r) => r.original.text));
    const rewritten = new Set(first.rows().filter((r) => r.status === 'rewritten').map((r) => r.original.text));
    expect(judged.size).toBeGreaterThanOrEqual(5);
    expect(judged.size).toBeLessThan(12);

    // "reload": a new job object on the same store; a fresh server, so that a request the
    // cancelled job had already sent cannot land in the new request log
    await server.close();
    server = await startOpenAiServer(goodModel);
    const second = await openJob(task, store, { concurrency: 3 });
    const progress = await second.start();
    expect(progress).toMatchObject({ accepted: 12, pending: 0, failed: 0 });
    const resent = server.requests.map(textOf);
    for (const t of judged) expect(resent).not.toContain(t);
    for (const t of rewritten) expect(server.requests.filter((r) => textOf(r) === t).map((r) => r.kind)).toEqual(['judge']);
    const rest = 12 - judged.size;
    expect(server.requests).toHaveLength(2 * rest - rewritten.size);

    // and a third open pays nothing
    server.requests.length = 0;
    await (await openJob(task, store)).start();
    expect(server.requests).toHaveLength(0);
  });

  it('an endpoint failure (401) stops the job without failing rows', async () => {
    server = await startOpenAiServer(() => ({ status: 401 }));
    const job = await openJob(makeTask(Array.from({ length: 8 }, (_, i) => `row ${i}`)), new MemoryStore());
    const progress = await job.start();
    expect(job.status).toBe('error');
    expect(job.error).toMatch(/refused the API key/);
    expect(progress).toMatchObject({ pending: 8, failed: 0 });
    expect(server.requests.length).toBeLessThanOrEqual(2);
  });

  it('the key is in no stored record, export, review or URL; only in the Authorization header', async () => {
    server = await startOpenAiServer(goodModel);
    const task = makeTask(['a cat', 'REJECT a fern', 'an oak']);
    const store = new MemoryStore();
    const job = await openJob(task, store);
    await job.start();
    expect(store.data.size).toBeGreaterThan(0);
    for (const [k, v] of store.data) {
      expect(k).not.toContain(KEY);
      expect(v).not.toContain(KEY);
      expect(v).not.toContain('SECRET');
    }
    const files = exportTaskFiles(job.rephrasedTask(), job.rows(), job.config);
    for (const text of [...Object.values(files), exportReviewJsonl(job.rows())]) expect(text).not.toContain('SECRET');
    expect(JSON.stringify(job.config)).not.toContain('SECRET');
    expect(server.requests.length).toBeGreaterThan(0);
    for (const r of server.requests) {
      expect(r.url).not.toContain('SECRET');
      expect(r.rawBody).not.toContain('SECRET');
      expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
    }
  });
});
