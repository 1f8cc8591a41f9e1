// The chat-completions client against a real loopback server: retries with measured backoff,
// Retry-After (seconds and HTTP date), timeouts, auth failures, key custody, CORS message.
import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient, testConnection, type ClientOptions } from '../../src/rephrase/client';
import { EndpointError } from '../../src/rephrase/errors';
import { startOpenAiServer, type ScriptedServer } from '../fixtures/openaiServer';

const KEY = 'sk-test-SECRET-0123456789';
const fast: ClientOptions = { timeoutMs: 2_000, maxRetries: 4, baseDelayMs: 40, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };
const msgs = [{ role: 'user' as const, content: 'hello' }];
let server: ScriptedServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('ChatClient', () => {
  it('sends the key only as a Bearer header to {baseUrl}/chat/completions and counts usage', async () => {
    server = await startOpenAiServer(() => ({ content: 'hi', usage: { prompt_tokens: 7, completion_tokens: 3 } }));
    const result = await new ChatClient({ baseUrl: server.baseUrl + '/', model: 'm1', apiKey: KEY }, fast).complete(msgs, { temperature: 0.5 });
    expect(result).toEqual({ content: 'hi', usage: { promptTokens: 7, completionTokens: 3, totalTokens: 10 }, requests: 1 });
    const [req] = server.requests;
    expect(req!.url).toBe('/v1/chat/completions');
    expect(req!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req!.url).not.toContain(KEY);
    expect(req!.rawBody).not.toContain(KEY);
    expect(req!.body).toMatchObject({ model: 'm1', messages: msgs, temperature: 0.5, stream: false });
  });

  it('retries 500s with exponential backoff (gaps measured at the server)', async () => {
    server = await startOpenAiServer((req) => (req.n < 3 ? { status: 500 } : { content: 'ok' }));
    const retries: number[] = [];
    const result = await new ChatClient({ baseUrl: server.baseUrl, model: 'm' }, { ...fast, onRetry: (r) => retries.push(r.delayMs) }).complete(msgs);
    expect(result.requests).toBe(4);
    const at = server.requests.map((r) => r.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // equal jitter: retry k waits in [base*2^k/2, base*2^k]
    [40, 80, 160].forEach((nominal, k) => {
      expect(retries[k]).toBeGreaterThanOrEqual(nominal / 2);
      expect(retries[k]).toBeLessThanOrEqual(nominal);
      expect(gaps[k]).toBeGreaterThanOrEqual(nominal / 2 - 5);
    });
  });

  it('honours Retry-After in seconds on 429', async () => {
    server = await startOpenAiServer((req) => (req.n === 0 ? { status: 429, headers: { 'Retry-After': '1' } } : { content: 'ok' }));
    const t0 = performance.now();
    await new ChatClient({ baseUrl: server.baseUrl, model: 'm' }, fast).complete(msgs);
    const gap = server.requests[1]!.at - server.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(990);
    expect(performance.now() - t0).toBeLessThan(3_000); // honoured, not exceeded by the 40 ms backoff's multiples
  });

  it('honours Retry-After as an HTTP date on 503', async () => {
    server = await startOpenAiServer((req) => (req.n === 0 ? { status: 503, headers: { 'Retry-After': new Date(Date.now() + 2_000).toUTCString() } } : { content: 'ok' }));
    await new ChatClient({ baseUrl: server.baseUrl, model: 'm' }, fast).complete(msgs);
    const gap = server.requests[1]!.at - server.requests[0]!.at;
    // the date has one-second resolution: the wait is between 1 and 2 seconds, far above the 40 ms backoff
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThan(3_000);
  });

  it('gives up after maxRetries and reports the status', async () => {
    server = await startOpenAiServer(() => ({ status: 502 }));
    const err = await new ChatClient({ baseUrl: server.baseUrl, model: 'm' }, { ...fast, maxRetries: 2, baseDelayMs: 5 }).complete(msgs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EndpointError);
    expect((err as EndpointError).kind).toBe('server');
    expect(server.requests).toHaveLength(3);
  });

  it('times out a hanging request, aborts it, and retries', async () => {
    server = await startOpenAiServer((req) => (req.n === 0 ? { hang: true } : { content: 'ok' }));
    const t0 = performance.now();
    const result = await new ChatClient({ baseUrl: server.baseUrl, model: 'm' }, { ...fast, timeoutMs: 150 }).complete(msgs);
    expect(result.content).toBe('ok');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(150);
    await new Promise((r) => setTimeout(r, 20));
    expect(server.requests[0]!.aborted).toBe(true);
  });

  it('does not retry 401 and redacts a key the server echoes', async () => {
    server = await startOpenAiServer(() => ({ status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}` } }) }));
    const err = (await new ChatClient({ baseUrl: server.baseUrl, model: 'm', apiKey: KEY }, fast).complete(msgs).catch((e: unknown) => e)) as EndpointError;
    expect(err.kind).toBe('auth');
    expect(err.fatal).toBe(true);
    expect(err.message).toMatch(/Check the key/);
    expect(err.message).not.toContain(KEY);
    expect(server.requests).toHaveLength(1);
  });

  it('reports a refused connection as a network error', async () => {
    server = await startOpenAiServer(() => ({ content: 'ok' }));
    const baseUrl = server.baseUrl;
    await server.close();
    server = undefined;
    const err = (await new ChatClient({ baseUrl, model: 'm' }, { ...fast, maxRetries: 0 }).complete(msgs).catch((e: unknown) => e)) as EndpointError;
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/Could not connect to http:\/\/127\.0\.0\.1/);
  });

  // In a browser both a CORS refusal and a refused connection surface as a fetch TypeError; the
  // client tells them apart with one no-cors request to the origin (opaque, so it resolves
  // whenever a server answers).
  async function inFakeBrowser(serverUp: boolean) {
    const g = globalThis as { document?: unknown; location?: unknown };
    g.document = {};
    g.location = { origin: 'http://localhost:5173' };
    const calls: { url: string; mode?: RequestMode }[] = [];
    const browserFetch: typeof fetch = async (input, init) => {
      calls.push({ url: String(input), mode: init?.mode });
      if (init?.mode === 'no-cors' && serverUp) return new Response(null, { status: 200 });
      throw new TypeError('Failed to fetch');
    };
    try {
      const result = await testConnection({ baseUrl: 'http://localhost:11434/v1', model: 'llama3.2' }, { fetch: browserFetch });
      return { result, calls };
    } finally {
      delete g.document;
      delete g.location;
    }
  }

  it('explains CORS when a browser fetch throws TypeError but the server answers', async () => {
    const { result, calls } = await inFakeBrowser(true);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('cors');
    expect(result.error.message).toContain('OLLAMA_ORIGINS=http://localhost:5173');
    expect(result.error.message).toContain('CORS');
    expect(calls).toEqual([{ url: 'http://localhost:11434/v1/chat/completions', mode: undefined }, { url: 'http://localhost:11434/', mode: 'no-cors' }]);
  });

  it('says nothing answers, not CORS, when the browser cannot connect at all', async () => {
    const { result } = await inFakeBrowser(false);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('refused');
    expect(result.error.message).toMatch(/^Nothing answers at http:\/\/localhost:11434: the connection was refused/);
    expect(result.error.message).not.toContain('CORS');
    expect(result.error.fatal).toBe(true);
  });

  it('testConnection succeeds against the server', async () => {
    server = await startOpenAiServer(() => ({ content: 'ok' }));
    const result = await testConnection({ baseUrl: server.baseUrl, model: 'm', apiKey: KEY });
    expect(result.ok).toBe(true);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
  });
});
