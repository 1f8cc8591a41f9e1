// Autoregressive generation over a batch of prompts with a KV cache (KvDecoder), streaming each
// new token as it is sampled. All sequences share one cache position: the shortest prompt is
// prefilled in chunks, then every call feeds one token per sequence: the next prompt token
// while a sequence is still inside its (longer) prompt, else its last sampled token. So
// prompts of any lengths batch together without masks, and greedy decoding of a batch equals
// each prompt decoded alone.
import type { Tokenizer } from '../data/tokenizer';
import type { KvDecoder } from './kvDecoder';
import { sampleToken, sampleUniform, type SamplingOptions } from './tokenSampler';

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  /** Token ids that end a sequence (kept in its output); default: none. */
  stopTokens: number[];
}

/** One home for the defaults of the "try the model" box and the CLI. */
export const GENERATE_DEFAULTS: GenerateOptions = {
  maxNewTokens: 32,
  temperature: 0.8,
  topK: 40,
  topP: 0.95,
  seed: 0,
  stopTokens: [],
};

export interface GeneratedToken {
  /** Index of the prompt in the batch. */
  sequence: number;
  token: number;
  /** 0-based index among the sequence's new tokens. */
  index: number;
}

export interface GenerationResult {
  /** New token ids per prompt (a stop token, when hit, is the last one). */
  tokens: number[][];
  finish: ('stop' | 'length')[];
}

export async function generateIds(
  decoder: KvDecoder,
  prompts: readonly (readonly number[])[],
  options: GenerateOptions,
  onToken?: (t: GeneratedToken) => void,
): Promise<GenerationResult> {
  const B = prompts.length;
  const { maxBatch, maxChunk, maxLen } = decoder.limits;
  if (B < 1 || B > maxBatch) throw new Error(`generate: ${B} prompts, the decoder holds 1..${maxBatch}`);
  if (prompts.some((p) => p.length < 1)) throw new Error('generate: every prompt needs at least one token (the tokenizer adds <s> when it has one)');
  const lens = prompts.map((p) => p.length);
  const longest = Math.max(...lens);
  if (longest >= maxLen) throw new Error(`generate: a prompt of ${longest} tokens leaves no room in a cache of ${maxLen}`);
  const V = decoder.config.vocabSize;
  const stop = new Set(options.stopTokens);
  const tokens: number[][] = prompts.map(() => []);
  const finish: GenerationResult['finish'] = prompts.map(() => 'length');
  const done = prompts.map(() => options.maxNewTokens <= 0);

  // Prefill the shared prefix length in chunks.
  const shortest = Math.min(...lens);
  let pos = 0;
  let logits: Float32Array = new Float32Array(0);
  while (pos < shortest) {
    const n = Math.min(maxChunk, shortest - pos);
    const ids = new Uint32Array(B * n);
    prompts.forEach((p, b) => ids.set(p.slice(pos, pos + n), b * n));
    logits = await decoder.step(ids, B, n, pos);
    pos += n;
  }
  // pos is the position of the next token; logits row b predicts it.
  for (;;) {
    const next = new Uint32Array(B);
    for (let b = 0; b < B; b++) {
      if (pos < lens[b]) {
        next[b] = prompts[b][pos];
        continue;
      }
      if (done[b]) continue;
      const row = logits.subarray(b * V, (b + 1) * V);
      const index = tokens[b].length;
      const token = sampleToken(row, options, options.temperature > 0 ? sampleUniform(options.seed, index, b) : 0);
      tokens[b].push(token);
      next[b] = token;
      onToken?.({ sequence: b, token, index });
      if (stop.has(token)) {
        done[b] = true;
        finish[b] = 'stop';
      } else if (tokens[b].length >= options.maxNewTokens) done[b] = true;
    }
    if (done.every(Boolean) && pos >= longest) break;
    if (pos >= maxLen) break; // the cache is full: this token was sampled but is never fed
    logits = await decoder.step(next, B, 1, pos);
    pos++;
  }
  return { tokens, finish };
}

export interface PromptOptions {
  /** Wrap the text as one user turn of the tokenizer's chat template, when it has one. */
  chat: boolean;
}

/** Token ids of a prompt: through the chat template (when asked and available), else plain. */
export function encodePrompt(tokenizer: Tokenizer, text: string, o: PromptOptions): number[] {
  if (o.chat && tokenizer.applyChatTemplate) {
    const rendered = tokenizer.applyChatTemplate([{ role: 'user', content: text }], { addGenerationPrompt: true });
    return tokenizer.encode(rendered, { addSpecialTokens: false });
  }
  return tokenizer.encode(text);
}
