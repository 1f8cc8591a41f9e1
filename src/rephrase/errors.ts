// Typed failures of the LLM-API client. Each message tells the user what to do; none contains
// the API key. `retryable` drives backoff; `fatal` errors stop a job instead of failing rows.
import { endpointOrigin } from './endpoint';

export type EndpointErrorKind =
  | 'cors' // the browser refused the call: fetch threw a TypeError, yet the server answers a no-cors probe
  | 'refused' // in a browser, nothing answers at all (connection refused, wrong port, server down)
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
    return ['network', 'refused', 'timeout', 'rate-limit', 'server', 'malformed'].includes(this.kind);
  }

  /** Says nothing about one row but about the endpoint: a job pauses rather than failing rows. */
  get fatal(): boolean {
    return ['cors', 'network', 'refused', 'auth'].includes(this.kind) || (this.kind === 'http' && this.status === 404);
  }
}

/** True in a page or a worker, where a fetch TypeError usually means CORS. */
export function inBrowser(): boolean {
  return typeof (globalThis as { document?: unknown }).document !== 'undefined' || typeof (globalThis as { importScripts?: unknown }).importScripts === 'function';
}

export function corsMessage(baseUrl: string, pageOrigin: string | undefined): string {
  const origin = pageOrigin ?? 'this page\'s origin';
  return (
    `${endpointOrigin(baseUrl)} answers, but the browser refused the call: the server does not ` +
    `allow cross-origin requests (CORS) from this page. Allow the origin ${origin} in the endpoint's CORS setting: ` +
    `Ollama: start it with OLLAMA_ORIGINS=${origin} (or OLLAMA_ORIGINS=*); ` +
    `LM Studio: enable "CORS" in the server settings; vLLM: --allowed-origins '["${origin}"]'; ` +
    `llama.cpp server: CORS is on by default, check the URL and port. ` +
    `Hosted APIs (OpenAI, OpenRouter) allow browser calls; check the base URL.`
  );
}

export function refusedMessage(baseUrl: string): string {
  return (
    `Nothing answers at ${endpointOrigin(baseUrl)}: the connection was refused or found no server ` +
    `(wrong host or port, or the server is not running). Start the server, or check the base URL.`
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
