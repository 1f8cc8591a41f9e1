// `zo-studio logits`: last-position logits and mean next-token loss of one token sequence.
import { numberFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { CliIo } from '../io';
import { openCliModel, precisionFlag } from '../openModel';
import { acquireCliBackend } from '../gpu';
import { buildWeights } from '../../engine/model/weights';
import { LlamaForward } from '../../engine/model/llama';
import { scoreSequence } from '../../engine/model/sequenceScore';

export async function logitsCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ['json']);
  const ids = stringFlag(args, 'ids')
    .split(',')
    .map((s) => Number(s.trim()));
  if (ids.length < 1 || ids.some((i) => !Number.isInteger(i) || i < 0)) throw new UsageError('--ids must be comma-separated token ids, e.g. 1,2,3');
  const top = numberFlag(args, 'top', 5);
  const ctx = await acquireCliBackend(io, args);
  const model = await openCliModel(args, io);
  const vocab = model.config.vocabSize;
  const bad = ids.find((i) => i >= vocab);
  if (bad !== undefined) throw new UsageError(`token id ${bad} is outside the vocabulary (size ${vocab})`);
  const weights = await buildWeights(ctx, model.config, model.reader, precisionFlag(args));
  await model.close();
  const forward = new LlamaForward(ctx, model.config, weights, { maxBatch: 1, maxSeqLen: ids.length, maxPositions: ids.length, maxCandidates: 1 });
  const score = await scoreSequence(forward, ids);
  if (args.flags.has('json')) {
    io.stdout(JSON.stringify({ logits: Array.from(score.lastLogits), loss: ids.length > 1 ? score.meanLoss : null }));
    return 0;
  }
  const order = Array.from(score.lastLogits.keys()).sort((a, b) => score.lastLogits[b] - score.lastLogits[a]).slice(0, top);
  io.stdout(`mean next-token loss  ${ids.length > 1 ? score.meanLoss.toFixed(6) : 'n/a (one token)'} nats`);
  io.stdout(`top ${top} next tokens   ${order.map((i) => `${i} (${score.lastLogits[i].toFixed(3)})`).join(', ')}`);
  return 0;
}
