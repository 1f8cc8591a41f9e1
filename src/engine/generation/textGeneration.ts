// Text in, text out: the "try the model" box and `zo-studio generate`. Encodes prompts (through
// the chat template when asked and available), decodes with the given tuning hooks live (a
// run's LoRA adapters or sparse deltas; full-mode weights are trained in place anyway), and
// streams each token with the text it adds (decoding the whole continuation each time, so a
// multi-byte character split over tokens appears once complete).
import type { Backend } from '../gpu/backend';
import type { GenerateRequest, GenerateResult } from '../api';
import type { LinearHook } from '../model/llama';
import type { LoadedModel } from '../session/loadedModel';
import { KvDecoder } from './kvDecoder';
import { encodePrompt, generateIds } from './generate';

export interface TextToken {
  sequence: number;
  token: number;
  /** Text this token adds to its sequence's continuation. */
  text: string;
}

export async function generateText(
  ctx: Backend,
  model: LoadedModel,
  hooks: LinearHook[],
  request: Omit<GenerateRequest, 'requestId'>,
  onToken?: (t: TextToken) => void,
): Promise<GenerateResult> {
  const tok = model.tokenizer;
  const prompts = request.prompts.map((p) => encodePrompt(tok, p, { chat: request.chat }));
  const longest = Math.max(...prompts.map((p) => p.length));
  const maxLen = Math.min(longest + request.maxNewTokens, model.config.maxPositions);
  if (longest >= maxLen) throw new Error(`the prompt is ${longest} tokens; the model reads at most ${model.config.maxPositions}`);
  const decoder = new KvDecoder(ctx, model.config, model.weights, { maxBatch: prompts.length, maxLen, maxChunk: Math.min(longest, 64) }, hooks);
  const stop = tok.eosId === null ? [] : [tok.eosId];
  const shown = prompts.map(() => '');
  const ids: number[][] = prompts.map(() => []);
  const textOf = (b: number) => tok.decode(ids[b].filter((t) => !stop.includes(t)), { skipSpecialTokens: true });
  try {
    const result = await generateIds(decoder, prompts, { ...request, stopTokens: stop }, (t) => {
      ids[t.sequence].push(t.token);
      const text = textOf(t.sequence);
      const added = text.startsWith(shown[t.sequence]) && !text.endsWith('\uFFFD') ? text.slice(shown[t.sequence].length) : '';
      if (added) shown[t.sequence] = text;
      onToken?.({ sequence: t.sequence, token: t.token, text: added });
    });
    return { texts: prompts.map((_, b) => textOf(b)), finish: result.finish };
  } finally {
    decoder.destroy();
  }
}
