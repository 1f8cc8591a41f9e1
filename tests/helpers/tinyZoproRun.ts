// A fresh ZOPrO run on a tiny random model, on any backend: the LM head trains in place (so no
// frozen reference: klCoef 0) towards a keyword reward, 2 prompts x 4 samples of 3 new tokens.
// Every call builds the model again from the same seed, so runs can be compared bit for bit
// (a whole run against one resumed from its record: expectResumeBitForBit).
import { memoryReader, tinyLlama } from '../fixtures/tinyModel';
import { buildWeights } from '../../src/engine/model/weights';
import { LlamaForward } from '../../src/engine/model/llama';
import { KvDecoder } from '../../src/engine/generation/kvDecoder';
import { ZoproTrainer, type ZoproPrompt } from '../../src/engine/preference/zopro';
import { ruleReward } from '../../src/engine/preference/rewards';
import { ZO_DEFAULTS } from '../../src/engine/defs/zoConfig';
import type { ZoproOptions } from '../../src/engine/api';
import type { TrainableSet } from '../../src/engine/training/trainable';
import type { Backend } from '../../src/engine/gpu/backend';
import { decodeZoproRecord, encodeZoproRecord, type ZoproRecord } from '../../src/engine/preference/zopro';
import { expect } from 'vitest';

const model = tinyLlama({ vocab: 16, hidden: 32, heads: 2, kvHeads: 1, intermediate: 32, layers: 1, seed: 5 });
const letters = 'abcdefgh';
const tokenizer = { decode: (ids: readonly number[]) => ids.map((i) => letters[i % 8]).join('') };
const options: ZoproOptions = { k: 4, prompts: 2, lambda: { start: 0.5, end: 0.1, schedule: 'linear' }, klCoef: 0, reward: { kind: 'keyword', keyword: 'a' }, maxNewTokens: 3, temperature: 1 };
const prompts: ZoproPrompt[] = Array.from({ length: 5 }, (_, i) => ({ text: `p${i}`, ids: [1, 3 + i, (5 + 3 * i) % 16] }));

export async function tinyZoproRun(ctx: Backend): Promise<{ trainer: ZoproTrainer; read: () => Promise<Float32Array> }> {
  const m = model;
  const weights = await buildWeights(ctx, m.config, memoryReader(m), 'f32');
  const trainable: TrainableSet = {
    mode: 'full', hooks: [], parameters: 16 * 32, extraBytes: 0, describe: () => 'lm_head',
    ranges: [{ name: 'lm_head.weight', buffer: weights.lmHead.data, offset: 0, count: 16 * 32, stream: 0, decay: false }],
  };
  const policy = new LlamaForward(ctx, m.config, weights, { maxBatch: 8, maxSeqLen: 6, maxPositions: 24, maxCandidates: 1 });
  const decoder = new KvDecoder(ctx, m.config, weights, { maxBatch: 8, maxLen: 6, maxChunk: 3 });
  const trainer = new ZoproTrainer({
    ctx, trainable, policy, reference: null, decoder, tokenizer, prompts, reward: ruleReward(options.reward), options,
    hyper: { ...ZO_DEFAULTS, seed: 11, eps: 1e-2, lr: 0.3, steps: 6 }, stopTokens: [], padId: 0,
  });
  return { trainer, read: () => ctx.readF32(weights.lmHead.data) };
}

/** 6 steps whole vs 3 steps, saved, resumed into a fresh run, 3 more: same record, same weights. */
export async function expectResumeBitForBit(ctx: Backend): Promise<{ resumed: ZoproTrainer; saved: ZoproRecord }> {
  const whole = await tinyZoproRun(ctx);
  const initial = await whole.read();
  for (let i = 0; i < 6; i++) await whole.trainer.step();
  const first = await tinyZoproRun(ctx);
  for (let i = 0; i < 3; i++) await first.trainer.step();
  const saved = decodeZoproRecord(encodeZoproRecord(first.trainer.record));
  const resumed = await tinyZoproRun(ctx);
  await resumed.trainer.resume(saved);
  expect(resumed.trainer.stepsDone).toBe(3);
  for (let i = 0; i < 3; i++) await resumed.trainer.step();
  expect(resumed.trainer.record.steps).toEqual(whole.trainer.record.steps);
  const [a, b] = [await whole.read(), await resumed.read()];
  expect(Array.from(a), 'the run moved the weights').not.toEqual(Array.from(initial));
  expect(Array.from(b)).toEqual(Array.from(a));
  return { resumed: resumed.trainer, saved };
}
