// ZOPrO. The mixed-direction kernel against its CPU twin (tolerance atol 1e-5, rtol 1e-5: the
// Gaussians of the two RNG twins agree to ~1e-6 and each term adds one rounding); the direction
// bookkeeping (||z|| stays ||mu||); rule rewards and RLOO; and a whole run on a tiny random model
// with a keyword reward whose mean reward, measured on fixed-seed samples, rises.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { memoryReader, tinyLlama } from '../fixtures/tinyModel';
import { ZoMixedKernel } from '../../src/engine/gpu/kernels/zoMixed';
import type { MixTerm } from '../../src/engine/defs/zoMix';
import { mixedAxpyCpu, mixedSquaredNormCpu } from '../../src/engine/cpu/zoMixed';
import { lambdaAt, mixTerms, previousUpdate } from '../../src/engine/zo/mixedDirection';
import { judgeReward, ruleReward, rlooAdvantages, verbalizerReward } from '../../src/engine/preference/rewards';
import type { Tokenizer } from '../../src/engine/data/tokenizer';
import { buildWeights } from '../../src/engine/model/weights';
import { LlamaForward } from '../../src/engine/model/llama';
import { KvDecoder } from '../../src/engine/generation/kvDecoder';
import { ZoproTrainer, decodeZoproRecord, type ZoproPrompt } from '../../src/engine/preference/zopro';
import { ZO_DEFAULTS } from '../../src/engine/defs/zoConfig';
import type { ZoproOptions } from '../../src/engine/api';
import type { TrainableSet } from '../../src/engine/training/trainable';
import { expectResumeBitForBit } from '../helpers/tinyZoproRun';

const TOL = { atol: 1e-5, rtol: 1e-5 };

describe('zo_mixed kernel', () => {
  it.each([[1], [255], [4099]])('%i elements: axpy and squared norm match the CPU twin', async (count) => {
    const ctx = await testGpu();
    const theta = randomArray(count + 3, count, 1);
    const buffer = ctx.storageFrom('theta', theta, 'scratch');
    const range = { buffer, offset: 3, count, stream: 5, decay: true };
    const terms: MixTerm[] = [{ step: 0, coef: 0.25 }, { step: 7, coef: -0.5 }, { step: 8, coef: 0.8 }];
    const k = new ZoMixedKernel(ctx, [range]);
    k.setDirection(1234, terms, 0.01);
    ctx.submit((pass) => k.encodeAxpy(pass));
    const want = theta.slice();
    mixedAxpyCpu({ array: want, offset: 3, count, stream: 5, decay: true }, 1234, terms, 0.01);
    expectAllclose(await ctx.readF32(buffer), want, TOL, 'theta');
    const norm = await k.squaredNorm();
    expect(Math.abs(norm - mixedSquaredNormCpu([range], 1234, terms)) / norm).toBeLessThan(1e-5);
    k.destroy();
  });
});

describe('ZOPrO direction bookkeeping', () => {
  it('lambda schedules stay in [0, 1) and decay', () => {
    const s = { start: 0.9, end: 0.1, schedule: 'linear' as const };
    expect(lambdaAt(s, 0, 11)).toBeCloseTo(0.9);
    expect(lambdaAt(s, 10, 11)).toBeCloseTo(0.1);
    expect(lambdaAt({ ...s, schedule: 'cosine' }, 5, 11)).toBeCloseTo(0.5);
    expect(lambdaAt({ start: 1, end: 1, schedule: 'constant' }, 3, 10)).toBeLessThan(1);
  });

  it('z = lambda mu + sqrt(1 - lambda^2) n keeps ||mu|| and has cosine ~lambda with mu', () => {
    const ranges = [{ count: 20000, stream: 0 }, { count: 999, stream: 1 }];
    const seed = 9;
    let terms: MixTerm[] = [{ step: 0, coef: 1 }];
    for (let step = 1; step < 5; step++) {
      const mu = previousUpdate(terms, step % 2 ? 0.3 : -2);
      const muNorm = Math.sqrt(mixedSquaredNormCpu(ranges, seed, mu));
      const nNorm = Math.sqrt(mixedSquaredNormCpu(ranges, seed, [{ step, coef: 1 }]));
      const lambda = 0.6;
      terms = mixTerms(step, mu, lambda, muNorm, nNorm);
      const zNorm = Math.sqrt(mixedSquaredNormCpu(ranges, seed, terms));
      expect(Math.abs(zNorm / muNorm - 1)).toBeLessThan(0.02);
      // <z, mu> / (|z||mu|) = lambda up to the random overlap of n with mu (~1/sqrt(D)).
      const dot = (mixedSquaredNormCpu(ranges, seed, [...terms, ...mu]) - zNorm ** 2 - muNorm ** 2) / 2;
      expect(Math.abs(dot / (zNorm * muNorm) - lambda)).toBeLessThan(0.03);
    }
    expect(previousUpdate(terms, 0)).toEqual([]);
    expect(mixTerms(3, [], 0.5, 0, 1)).toEqual([{ step: 3, coef: 1 }]);
  });
});

describe('rewards', () => {
  const r = (completion: string) => ({ prompt: 'p', completion, ids: [] });
  it('rules: length, keyword, regex', async () => {
    expect(await ruleReward({ kind: 'length', target: 10 }).score([r('abc'), r('  abcdefghijkl ')])).toEqual([0.3, 1]);
    expect(await ruleReward({ kind: 'keyword', keyword: 'Plant' }).score([r('a green plant'), r('an animal')])).toEqual([1, 0]);
    expect(await ruleReward({ kind: 'regex', pattern: '^ an? ', flags: 'g' }).score([r(' a dog'), r(' the dog'), r(' an owl')])).toEqual([1, 0, 1]);
    expect(() => ruleReward({ kind: 'regex', pattern: '(' })).toThrow(/regex reward/);
  });
  it('LLM judge: the first number of the reply, over 10; unparseable = 0', async () => {
    const replies = ['8', 'Score: 3.5/10', 'no idea', '42'];
    const asked: string[] = [];
    const client = { complete: async (m: { content: string }[]) => (asked.push(m[0].content), { content: replies[asked.length - 1] }) };
    expect(await judgeReward(client).score([r(' x'), r(' y'), r(' z'), r(' w')])).toEqual([0.8, 0.35, 0, 1]);
    expect(asked[1]).toContain('Response:  y');
  });
  it('verbalizer: log p(yes) - log p(no) after the filled template, from a second model', async () => {
    const ctx = await testGpu();
    const m = tinyLlama({ vocab: 40, seed: 9 });
    const weights = await buildWeights(ctx, m.config, memoryReader(m), 'f32');
    const forward = new LlamaForward(ctx, m.config, weights, { maxBatch: 2, maxSeqLen: 32, maxPositions: 2, maxCandidates: 2 });
    const encode = (t: string) => [1, ...[...t].map((c) => 3 + (c.charCodeAt(0) % 37))];
    const tokenizer = { encode: (t: string, o?: { addSpecialTokens?: boolean }) => (o?.addSpecialTokens === false ? encode(t).slice(1) : encode(t)), padId: 0 } as unknown as Tokenizer;
    const judge = verbalizerReward({ forward, tokenizer, template: '{prompt}{completion}?', yes: 'Y', no: 'N' });
    const rs = [r('ab'), r('abcd'), r('x')];
    const got = await judge.score(rs);
    for (const [i, ro] of rs.entries()) {
      const ids = encode(`p${ro.completion}?`);
      const lp = await forward.logprobs({ ids: Uint32Array.from(ids), batch: 1, seqLen: ids.length, positions: Uint32Array.of(ids.length - 1), targets: Uint32Array.of(encode('Y')[1], encode('N')[1]), candidates: 2 });
      expect(got[i]).toBeCloseTo(lp[0] - lp[1], 4);
    }
  });
  it('RLOO advantages', () => {
    expect(rlooAdvantages([1, 0, 0, 1, 1, 1], 3)).toEqual([1, -0.5, -0.5, 0, 0, 0]);
    expect(() => rlooAdvantages([1, 2, 3], 2)).toThrow(/RLOO/);
  });
});

describe('ZOPrO on a tiny random model', () => {
  it('a keyword reward rises over training (fixed seed)', { timeout: 600_000 }, async () => {
    const ctx = await testGpu();
    const m = tinyLlama({ vocab: 16, hidden: 32, heads: 2, kvHeads: 1, intermediate: 32, layers: 1, seed: 5 });
    const weights = await buildWeights(ctx, m.config, memoryReader(m), 'f32');
    const letters = 'abcdefgh';
    const tokenizer = { decode: (ids: readonly number[]) => ids.map((i) => letters[i % 8]).join('') };
    const o: ZoproOptions = { k: 8, prompts: 4, lambda: { start: 0.5, end: 0.1, schedule: 'linear' }, klCoef: 0, reward: { kind: 'keyword', keyword: 'a' }, maxNewTokens: 4, temperature: 1 };
    const prompts: ZoproPrompt[] = Array.from({ length: 8 }, (_, i) => ({ text: `p${i}`, ids: [1, 3 + i, (5 + 3 * i) % 16] }));
    const rows = o.prompts * o.k;
    const maxSeqLen = 3 + o.maxNewTokens;
    // Trainable: the LM head only, in place (so no frozen reference: klCoef 0).
    const trainable: TrainableSet = {
      mode: 'full', hooks: [], parameters: 16 * 32, extraBytes: 0, describe: () => 'lm_head',
      ranges: [{ name: 'lm_head.weight', buffer: weights.lmHead.data, offset: 0, count: 16 * 32, stream: 0, decay: false }],
    };
    const policy = new LlamaForward(ctx, m.config, weights, { maxBatch: rows, maxSeqLen, maxPositions: rows * o.maxNewTokens, maxCandidates: 1 });
    const decoder = new KvDecoder(ctx, m.config, weights, { maxBatch: 32, maxLen: maxSeqLen, maxChunk: 3 });
    const trainer = new ZoproTrainer({
      ctx, trainable, policy, reference: null, decoder, tokenizer, prompts, reward: ruleReward(o.reward), options: o,
      hyper: { ...ZO_DEFAULTS, seed: 7, eps: 1e-2, lr: 0.3, steps: 40 }, stopTokens: [], padId: 0,
    });
    const meanReward = async () => {
      const all = [];
      for (const seed of [4242, 4243, 4244, 4245]) all.push(...(await trainer.rollouts(prompts.slice(4 * (seed % 2), 4 * (seed % 2) + 4), seed)));
      return all.reduce((a, r) => a + r.reward, 0) / all.length;
    };
    const before = await meanReward();
    const curve: number[] = [];
    for (let i = 0; i < 40; i++) curve.push((await trainer.step()).reward.rewardMean!);
    const after = await meanReward();
    console.log('ZOPrO tiny: fixed-seed mean reward', before, '->', after, 'rollout curve', curve.map((v) => v.toFixed(2)).join(' '));
    expect(after).toBeGreaterThan(before + 0.25);
    expect(trainer.record.steps.length).toBe(40);
    expect(trainer.record.steps[5].terms.length).toBeGreaterThan(1); // mu carried into z
  });

  it('a run resumed from its record continues bit for bit (weights and record)', { timeout: 600_000 }, async () => {
    const ctx = await testGpu();
    const { resumed, saved } = await expectResumeBitForBit(ctx);
    await expect(resumed.resume(saved)).rejects.toThrow(/fresh run/);
    expect(() => decodeZoproRecord(new Uint8Array([1, 2, 3]))).toThrow(/not a ZOPrO record/);
  });
});
