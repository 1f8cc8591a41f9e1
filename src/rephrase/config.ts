// Every setting of a rephrase job, with its default and why. A job persists its full config
// (never the API key) so a resumed or exported job says exactly how it was made.
import type { PublicEndpoint } from './endpoint';
import { DEFAULT_JUDGE_TEMPLATE, DEFAULT_REWRITER_TEMPLATE } from './prompts';

export type RephraseMode = 'replace' | 'augment';

export interface RephraseConfig {
  rewriter: PublicEndpoint;
  /** The judge may be another model (or endpoint); by default the rewriter's. */
  judge: PublicEndpoint;
  /** replace: accepted rewrites take their original's place; augment: they are added. */
  mode: RephraseMode;
  /** Splits to rewrite; dev/test stay as they are so evaluations remain comparable. */
  splits: string[];
  /** Row fields to rewrite; empty = the text fields the prompt template uses. */
  fields: string[];
  /** Rewrite only the first N rows of each split (0 = all): a cheap trial run. */
  limit: number;
  /** Requests in flight at once; 4 suits hosted APIs and a local server alike. */
  concurrency: number;
  /** HTTP retries per request on 429, 5xx, timeouts and network errors. */
  maxRetries: number;
  /** Extra requests when the model's answer is not the JSON asked for; then the row fails. */
  malformedRetries: number;
  /** Per-request timeout (ms); local models on a laptop can take tens of seconds. */
  timeoutMs: number;
  /** First backoff delay (ms), doubled per retry, with jitter. */
  baseDelayMs: number;
  /** Cap on one backoff delay (ms). */
  maxDelayMs: number;
  /** Cap on a server's Retry-After (ms), so a bad header cannot stall the job for hours. */
  maxRetryAfterMs: number;
  /** Some diversity in rewrites; the judge guards their meaning. */
  rewriterTemperature: number;
  /** The judge should be deterministic. */
  judgeTemperature: number;
  /** Output cap per answer; a rewrite is about as long as its original. */
  maxTokens: number;
  /** 'json_object' turns on JSON mode where the server supports it (OpenAI, Ollama, vLLM). */
  responseFormat: 'none' | 'json_object';
  rewriterTemplate: string;
  judgeTemplate: string;
}

export type RephraseConfigInput = Partial<RephraseConfig> & { rewriter: PublicEndpoint };

export const REPHRASE_DEFAULTS: Omit<RephraseConfig, 'rewriter' | 'judge'> = {
  mode: 'replace',
  splits: ['train'],
  fields: [],
  limit: 0,
  concurrency: 4,
  maxRetries: 4,
  malformedRetries: 2,
  timeoutMs: 60_000,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  rewriterTemperature: 0.7,
  judgeTemperature: 0,
  maxTokens: 512,
  responseFormat: 'none',
  rewriterTemplate: DEFAULT_REWRITER_TEMPLATE,
  judgeTemplate: DEFAULT_JUDGE_TEMPLATE,
};

/** The full config from user input; endpoints are copied without any key they may carry. */
export function resolveConfig(input: RephraseConfigInput): RephraseConfig {
  const rewriter = { baseUrl: input.rewriter.baseUrl, model: input.rewriter.model };
  const judgeIn = input.judge ?? rewriter;
  const judge = { baseUrl: judgeIn.baseUrl || rewriter.baseUrl, model: judgeIn.model || rewriter.model };
  const config: RephraseConfig = { ...REPHRASE_DEFAULTS, ...stripUndefined(input), rewriter, judge };
  if (!Number.isInteger(config.concurrency) || config.concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${config.concurrency}`);
  if (!Number.isInteger(config.limit) || config.limit < 0) throw new Error(`limit must be a non-negative integer, got ${config.limit}`);
  if (config.mode !== 'replace' && config.mode !== 'augment') throw new Error(`mode must be replace or augment, got ${String(config.mode)}`);
  return config;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
