// Typed failures of the LLM-API client. Each message tells the user what to do; none contains
// the API key. `retryable` drives backoff; `fatal` errors stop a job instead of failing rows.
import { endpointOrigin } from './endpoint';

export type EndpointErrorKind =
  | 'cors' // the browser refused the call (or the server is down): fetch threw a TypeError
  | 'network' // Node could not connect (refused, DNS, reset)
  | 'timeout' // no answer within the per-request timeout
  | 'rate-limit' // HTTP 429
  | 'server' // HTTP 5xx
  | 'auth' // HTTP 401/403
  | 'http' // any other non-2xx (404 stops the job: wrong URL or model; 400 fails only its row)
  | 'malformed' // 2xx but not a chat-completions body, or content that is not the JSON asked for
  | 'aborted'; // cancelled by the user

export class EndpointError extends Error {
  constructor(
    readonly kind: EndpointErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'EndpointError';
  }

  /** Worth another try after a delay. */
  get retryable(): boolean {
    return ['network', 'timeout', 'rate-limit', 'server', 'malformed'].includes(this.kind);
  }

  /** Says nothing about one row but about the endpoint: a job pauses rather than failing rows. */
  get fatal(): boolean {
    return ['cors', 'network', 'auth'].includes(this.kind) || (this.kind === 'http' && this.status === 404);
  }
}

/** True in a page or a worker, where a fetch TypeError usually means CORS. */
export function inBrowser(): boolean {
  return typeof (globalThis as { document?: unknown }).document !== 'undefined' || typeof (globalThis as { importScripts?: unknown }).importScripts === 'function';
}

export function corsMessage(baseUrl: string, pageOrigin: string | undefined): string {
  const origin = pageOrigin ?? 'this page\'s origin';
  return (
    `The browser could not reach ${endpointOrigin(baseUrl)}. If the server is running, it is ` +
    `blocking cross-origin requests (CORS). Allow the origin ${origin} in the endpoint's CORS setting: ` +
    `Ollama: start it with OLLAMA_ORIGINS=${origin} (or OLLAMA_ORIGINS=*); ` +
    `LM Studio: enable "CORS" in the server settings; vLLM: --allowed-origins '["${origin}"]'; ` +
    `llama.cpp server: CORS is on by default, check the URL and port. ` +
    `Hosted APIs (OpenAI, OpenRouter) allow browser calls; check the base URL.`
  );
}

export function networkMessage(baseUrl: string, cause: string): string {
  return `Could not connect to ${endpointOrigin(baseUrl)} (${cause}). Is the server running and the base URL right?`;
}

export function httpMessage(status: number, bodySnippet: string): string {
  if (status === 401 || status === 403) return `The endpoint refused the API key (HTTP ${status}). Check the key. ${bodySnippet}`.trim();
  if (status === 404) return `HTTP 404: check the base URL (it usually ends in /v1) and the model name. ${bodySnippet}`.trim();
  return `HTTP ${status}. ${bodySnippet}`.trim();
}
