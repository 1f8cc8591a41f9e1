// `zo-studio generate`: sample continuations of one or more prompts with a KV cache (the demo
// model by default), optionally through the tokenizer's chat template. Prompts are the
// positional arguments; --stream prints one JSON line per token as it is sampled.
import { boolFlag, numberFlag, parseArgs, UsageError } from '../args';
import type { CliIo } from '../io';
import { acquireCliBackend } from '../gpu';
import { loadCliModel } from '../openModel';
import { generateText } from '../../engine/generation/textGeneration';
import { GENERATE_DEFAULTS } from '../../engine/generation/generate';

export const GENERATE_USAGE = `  generate [--model M] "prompt" ["prompt" ...] [--max-new-tokens 32] [--temperature 0.8] [--top-k 40]
          [--top-p 0.95] [--seed 0] [--chat] [--stream] [--json]   (temperature 0 = greedy)`;

export async function generateCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ['chat', 'stream', 'json']);
  const prompts = args.positional;
  if (!prompts.length) throw new UsageError('generate needs at least one prompt');
  const d = GENERATE_DEFAULTS;
  const request = {
    prompts,
    maxNewTokens: numberFlag(args, 'max-new-tokens', d.maxNewTokens),
    temperature: numberFlag(args, 'temperature', d.temperature),
    topK: numberFlag(args, 'top-k', d.topK),
    topP: numberFlag(args, 'top-p', d.topP),
    seed: numberFlag(args, 'seed', d.seed),
    chat: boolFlag(args, 'chat'),
  };
  if (!(request.maxNewTokens >= 1) || !(request.temperature >= 0) || !(request.topP > 0 && request.topP <= 1)) {
    throw new UsageError('--max-new-tokens >= 1, --temperature >= 0, 0 < --top-p <= 1');
  }
  const ctx = await acquireCliBackend(io, args);
  const model = await loadCliModel(ctx, args, io);
  const stream = args.flags.has('stream');
  const result = await generateText(ctx, model, [], request, stream ? (t) => io.stdout(JSON.stringify(t)) : undefined);
  if (args.flags.has('json')) io.stdout(JSON.stringify({ prompts, ...result }));
  else result.texts.forEach((text, i) => io.stdout(`${prompts[i]}${text}${result.finish[i] === 'stop' ? '' : ' …'}`));
  return 0;
}
