// A minimal OpenAI-compatible chat-completions client: POST {baseUrl}/chat/completions with
// `Authorization: Bearer <key>` (sent to that endpoint only), a per-request timeout through
// AbortController, retries with backoff on 429/5xx/timeouts honouring Retry-After, and token
// usage read from the response's `usage` field.
import { retryDelay, parseRetryAfter, sleep, type BackoffPolicy } from './backoff';
import { chatCompletionsUrl, endpointOrigin, redact, type EndpointSettings } from './endpoint';
import { EndpointError, corsMessage, httpMessage, inBrowser, networkMessage, refusedMessage } from './errors';
import { serverAnswers } from './reachability';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export const ZERO_USAGE: Usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

export function addUsage(a: Usage, b: Usage): Usage {
  return { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens, totalTokens: a.totalTokens + b.totalTokens };
}

export interface ChatOptions {
  temperature?: number;
  maxTokens?: number;
  /** 'json_object' asks the server for JSON mode (OpenAI, Ollama, vLLM); some servers reject it. */
  responseFormat?: 'none' | 'json_object';
  signal?: AbortSignal;
}

export interface ChatResult {
  content: string;
  usage: Usage;
  /** HTTP requests this call made (1 + retries). */
  requests: number;
}

export interface RetryInfo {
  attempt: number;
  delayMs: number;
  error: EndpointError;
}

export interface ClientOptions extends BackoffPolicy {
  /** Per-request timeout (ms), including reading the body. */
  timeoutMs: number;
  /** Retries after the first request for retryable failures (429, 5xx, timeout, network). */
  maxRetries: number;
  fetch?: typeof fetch;
  random?: () => number;
  onRetry?: (info: RetryInfo) => void;
  /** Called for every 2xx response that reported usage, even if its content is later rejected. */
  onUsage?: (usage: Usage) => void;
}

function readUsage(body: unknown): Usage {
  const u = (body as { usage?: Record<string, unknown> } | null)?.usage;
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  if (!u) return { ...ZERO_USAGE };
  const promptTokens = n(u.prompt_tokens);
  const completionTokens = n(u.completion_tokens);
  return { promptTokens, completionTokens, totalTokens: n(u.total_tokens) || promptTokens + completionTokens };
}

export class ChatClient {
  private readonly fetchFn: typeof fetch;

  constructor(
    private readonly endpoint: EndpointSettings,
    private readonly options: ClientOptions,
  ) {
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** One request with retries on retryable failures; throws EndpointError. */
  async complete(messages: ChatMessage[], chat: ChatOptions = {}): Promise<ChatResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.once(messages, chat);
        return { ...result, requests: attempt + 1 };
      } catch (err) {
        const error = err as EndpointError & { retryAfterMs?: number };
        if (!(error instanceof EndpointError) || !error.retryable || error.kind === 'malformed' || attempt >= this.options.maxRetries) throw error;
        const delayMs = retryDelay(attempt, error.retryAfterMs, this.options, this.options.random);
        this.options.onRetry?.({ attempt: attempt + 1, delayMs, error });
        await sleep(delayMs, chat.signal).catch(() => {
          throw new EndpointError('aborted', 'Cancelled.');
        });
      }
    }
  }

  /** Exactly one HTTP request. */
  async once(messages: ChatMessage[], chat: ChatOptions = {}): Promise<Omit<ChatResult, 'requests'>> {
    const { baseUrl, model, apiKey } = this.endpoint;
    const outer = chat.signal;
    if (outer?.aborted) throw new EndpointError('aborted', 'Cancelled.');
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    const onOuterAbort = (): void => controller.abort();
    outer?.addEventListener('abort', onOuterAbort, { once: true });

    const body: Record<string, unknown> = { model, messages, stream: false };
    if (chat.temperature !== undefined) body.temperature = chat.temperature;
    if (chat.maxTokens !== undefined) body.max_tokens = chat.maxTokens;
    if (chat.responseFormat === 'json_object') body.response_format = { type: 'json_object' };
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (apiKey) headers.Authorization = `Bearer ${apiKey}`;

    try {
      let response: Response;
      try {
        response = await this.fetchFn(chatCompletionsUrl(baseUrl), { method: 'POST', headers, body: JSON.stringify(body), signal: controller.signal });
      } catch (err) {
        throw await this.transportError(err, outer, timedOut);
      }
      let text: string;
      try {
        text = await response.text();
      } catch (err) {
        throw await this.transportError(err, outer, timedOut);
      }
      if (!response.ok) {
        // Redact the whole body before cutting it: a key straddling the cut would survive as a prefix.
        const snippet = redact(text, apiKey).slice(0, 300);
        const status = response.status;
        const kind = status === 429 ? 'rate-limit' : status >= 500 ? 'server' : status === 401 || status === 403 ? 'auth' : 'http';
        const error = new EndpointError(kind, httpMessage(status, snippet), status) as EndpointError & { retryAfterMs?: number };
        error.retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        throw error;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new EndpointError('malformed', `The endpoint answered HTTP ${response.status} with a body that is not JSON.`, response.status);
      }
      const usage = readUsage(parsed);
      if (usage.totalTokens > 0) this.options.onUsage?.(usage);
      const content = (parsed as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
      if (typeof content !== 'string') throw new EndpointError('malformed', 'The response has no choices[0].message.content string.', response.status);
      return { content, usage };
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }

  private async transportError(err: unknown, outer: AbortSignal | undefined, timedOut: boolean): Promise<EndpointError> {
    if (outer?.aborted) return new EndpointError('aborted', 'Cancelled.');
    if (timedOut) return new EndpointError('timeout', `No answer from the endpoint within ${this.options.timeoutMs} ms.`);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const detail = redact(cause?.code ?? cause?.message ?? (err as Error).message ?? String(err), this.endpoint.apiKey);
    if (err instanceof TypeError && inBrowser()) {
      // The same TypeError for "nothing listens there" and "CORS refused": ask the server once without CORS.
      if (!(await serverAnswers(this.fetchFn, endpointOrigin(this.endpoint.baseUrl)))) return new EndpointError('refused', refusedMessage(this.endpoint.baseUrl));
      const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
      return new EndpointError('cors', corsMessage(this.endpoint.baseUrl, origin));
    }
    return new EndpointError('network', networkMessage(this.endpoint.baseUrl, detail));
  }
}

export type ConnectionResult = { ok: true; latencyMs: number; reply: string; usage: Usage } | { ok: false; error: EndpointError };

/** A one-request check for the "test connection" button: no retries, a short answer. */
export async function testConnection(endpoint: EndpointSettings, options: Partial<ClientOptions> & { timeoutMs?: number } = {}): Promise<ConnectionResult> {
  const client = new ChatClient(endpoint, { baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0, timeoutMs: 15_000, ...options, maxRetries: 0 });
  const started = Date.now();
  try {
    const { content, usage } = await client.once([{ role: 'user', content: 'Reply with the single word: ok' }], { maxTokens: 8, temperature: 0 });
    return { ok: true, latencyMs: Date.now() - started, reply: content, usage };
  } catch (err) {
    if (err instanceof EndpointError) return { ok: false, error: err };
    return { ok: false, error: new EndpointError('network', String(err)) };
  }
}
