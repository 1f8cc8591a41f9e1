// The API key never survives in an error message, a stored row or an exported review file,
// wherever the endpoint puts it: the body is redacted before it is cut to 300 characters, so a
// key straddling the cut leaves no prefix behind (tested at every offset around the cut).
import { afterEach, describe, expect, it } from 'vitest';
import type { Task } from '../../src/engine/data/task';
import { ChatClient } from '../../src/rephrase/client';
import { EndpointError } from '../../src/rephrase/errors';
import { RephraseJob } from '../../src/rephrase/job';
import { MemoryStore } from '../../src/rephrase/storage';
import { exportReviewJsonl } from '../../src/rephrase/taskFiles';
import { startOpenAiServer, type ScriptedServer } from '../fixtures/openaiServer';

const KEY = 'sk-cut-SECRET-0123456789abcdef';
const CUT = 300;
let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Any piece of the key long enough to matter (4 characters) left in `text`. */
function keyPieceIn(text: string): string | undefined {
  for (let len = 4; len <= KEY.length; len++) {
    for (let at = 0; at + len <= KEY.length; at++) {
      const piece = KEY.slice(at, at + len);
      if (text.includes(piece)) return piece;
    }
  }
  return undefined;
}

describe('key redaction', () => {
  it('redacts a key at every offset around the 300-character cut of an error body', async () => {
    let offset = 0;
    server = await startOpenAiServer(() => ({ status: 400, body: `${'.'.repeat(offset)}${KEY}${'.'.repeat(400)}` }));
    const client = new ChatClient({ baseUrl: server.baseUrl, model: 'm', apiKey: KEY }, { maxRetries: 0, timeoutMs: 2_000, baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0 });
    const offsets: number[] = [];
    for (offset = CUT - KEY.length - 2; offset <= CUT + 2; offset++) {
      const err = (await client.complete([{ role: 'user', content: 'hi' }]).catch((e: unknown) => e)) as EndpointError;
      expect(err).toBeInstanceOf(EndpointError);
      expect(keyPieceIn(err.message), `key at offset ${offset}`).toBeUndefined();
      offsets.push(offset);
    }
    expect(offsets.length).toBe(KEY.length + 5);
  });

  it('keeps the key out of stored rows and exports when the endpoint echoes it in a rewrite', async () => {
    server = await startOpenAiServer((req) =>
      req.kind === 'judge' ? { content: JSON.stringify({ verdict: 'accept', reason: `fine ${KEY}` }) } : { content: JSON.stringify({ text: `leaked ${KEY} here` }) },
    );
    const task: Task = {
      spec: { name: 'toy', type: 'classification', prompt_template: '{text}\nThis is a kind of', label_words: [' animal', ' plant'] },
      splits: { train: [{ text: 'a cat', label: 0 }] },
    };
    const store = new MemoryStore();
    const job = await RephraseJob.open({
      task, store, apiKey: KEY,
      config: { rewriter: { baseUrl: server.baseUrl, model: 'rw' }, judge: { baseUrl: server.baseUrl, model: 'j' }, maxRetries: 0, timeoutMs: 2_000 },
    });
    await job.start();
    const stored = [...store.data.values()].join('\n');
    expect(stored).toContain('[redacted]');
    expect(keyPieceIn(stored)).toBeUndefined();
    expect(keyPieceIn(exportReviewJsonl(job.rows()))).toBeUndefined();
  });
});
