// KV-cache decoding. Kernels: attention_decode / kv_cache vs the CPU reference, tolerance
// atol 1e-5 rtol 1e-4 (exp in WGSL is not correctly rounded and the online softmax sums in a
// different order than the two-pass reference). Whole models: greedy generation with the cache
// must pick exactly the tokens that full recomputation picks (LlamaForward over the growing
// sequence, argmax of the last position's logits), on the tiny random model and the demo model.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu';
import { DEMO_MODEL } from '../helpers/paths';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { memoryReader, tinyLlama } from '../fixtures/tinyModel';
import type { GpuContext } from '../../src/engine/gpu/context';
import { DecodeAttentionKernel, KvAppendKernel } from '../../src/engine/gpu/kernels/attentionDecode';
import { attentionDecodeRef, kvAppendRef } from '../../src/engine/cpu/attentionDecode';
import { parseLlamaConfig, type LlamaConfig } from '../../src/engine/model/config';
import { buildWeights, type ModelWeights } from '../../src/engine/model/weights';
import { LlamaForward } from '../../src/engine/model/llama';
import { nodeFolder } from '../../src/engine/model/loaders/nodeFileSource';
import { openSafetensors } from '../../src/engine/model/loaders/safetensors';
import { tokenizerFromJson } from '../../src/engine/data/tokenizer';
import { KvDecoder } from '../../src/engine/generation/kvDecoder';
import { generateIds, type GenerateOptions } from '../../src/engine/generation/generate';
import { argmax } from '../../src/engine/generation/tokenSampler';

const TOL = { atol: 1e-5, rtol: 1e-4 };
const GREEDY: GenerateOptions = { maxNewTokens: 12, temperature: 0, topK: 0, topP: 1, seed: 0, stopTokens: [] };

describe('attention_decode and kv_cache kernels', () => {
  it.each([
    [1, 1, 0, 4, 2, 32],
    [3, 1, 37, 6, 2, 32],
    [2, 5, 11, 4, 4, 64],
    [2, 33, 0, 8, 2, 16],
    // sliding windows (Mistral v0.1): shorter than the cache, one key, and covering it all
    [2, 5, 40, 4, 2, 32, 16],
    [1, 33, 0, 4, 4, 16, 1],
    [3, 1, 37, 6, 2, 32, 38],
  ])('batch %i, %i new tokens at position %i, %i heads / %i kv heads, headDim %i, window %s', async (batch, qLen, pos, heads, kvHeads, headDim, window = 0) => {
    const ctx = await testGpu();
    const maxLen = pos + qLen + 3;
    const kvW = kvHeads * headDim;
    const q = randomArray(batch * qLen * heads * headDim, 11 + pos, 1);
    const k = randomArray(batch * qLen * kvW, 12 + pos, 1);
    const v = randomArray(batch * qLen * kvW, 13 + pos, 1);
    const kCache = randomArray(batch * maxLen * kvW, 14, 1); // positions < pos: an earlier call's keys
    const vCache = randomArray(batch * maxLen * kvW, 15, 1);
    const gq = ctx.storageFrom('q', q, 'scratch');
    const gk = ctx.storageFrom('k', k, 'scratch');
    const gv = ctx.storageFrom('v', v, 'scratch');
    const gkc = ctx.storageFrom('kc', kCache, 'scratch');
    const gvc = ctx.storageFrom('vc', vCache, 'scratch');
    const out = ctx.createStorage('out', q.byteLength, 'scratch');
    const shape = { maxBatch: batch, maxLen, kvHeads, headDim };
    const append = new KvAppendKernel(ctx, { ...shape, k: gk, v: gv, kCache: gkc, vCache: gvc });
    const att = new DecodeAttentionKernel(ctx, { ...shape, q: gq, kCache: gkc, vCache: gvc, out, heads, window });
    append.setShape(batch, qLen, pos);
    att.setShape(batch, qLen, pos);
    ctx.submit((pass) => {
      append.encode(pass);
      att.encode(pass);
    });
    kvAppendRef(k, v, kCache, vCache, batch, qLen, pos, maxLen, kvW);
    expectAllclose(await ctx.readF32(gkc), kCache, { atol: 0, rtol: 0 }, 'k cache');
    expectAllclose(await ctx.readF32(gvc), vCache, { atol: 0, rtol: 0 }, 'v cache');
    const want = attentionDecodeRef(q, kCache, vCache, batch, qLen, pos, maxLen, heads, kvHeads, headDim, window);
    expectAllclose(await ctx.readF32(out), want, TOL, 'attention');
  });
});

/** Greedy continuation by full recomputation: the whole sequence through LlamaForward per token. */
async function greedyRecompute(ctx: GpuContext, config: LlamaConfig, weights: ModelWeights, prompt: number[], newTokens: number): Promise<number[]> {
  const maxLen = prompt.length + newTokens;
  const forward = new LlamaForward(ctx, config, weights, { maxBatch: 1, maxSeqLen: maxLen, maxPositions: 1, maxCandidates: 1 });
  const ids = [...prompt];
  const out: number[] = [];
  for (let i = 0; i < newTokens; i++) {
    const T = ids.length;
    const logits = await forward.logits({ ids: Uint32Array.from(ids), batch: 1, seqLen: T, positions: Uint32Array.of(T - 1), targets: Uint32Array.of(0), candidates: 1 });
    const t = argmax(logits);
    out.push(t);
    ids.push(t);
  }
  return out;
}

describe('KV-cache greedy generation equals full recomputation', () => {
  it('tiny random model: a batch of prompts of different lengths, prefilled in chunks', async () => {
    const ctx = await testGpu();
    const m = tinyLlama({ seed: 3 });
    const weights = await buildWeights(ctx, m.config, memoryReader(m), 'f32');
    const prompts = [[1, 5, 9, 17, 33, 4, 60], [1, 70], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [1, 44, 44, 44]];
    const decoder = new KvDecoder(ctx, m.config, weights, { maxBatch: 4, maxLen: 11 + GREEDY.maxNewTokens, maxChunk: 3 });
    const streamed: number[][] = prompts.map(() => []);
    const got = await generateIds(decoder, prompts, GREEDY, (t) => streamed[t.sequence].push(t.token));
    expect(streamed).toEqual(got.tokens);
    for (let b = 0; b < prompts.length; b++) {
      expect(got.tokens[b], `prompt ${b}`).toEqual(await greedyRecompute(ctx, m.config, weights, prompts[b], GREEDY.maxNewTokens));
    }
    // Each prompt alone gives what it got in the batch.
    const alone = await generateIds(decoder, [prompts[2]], GREEDY);
    expect(alone.tokens[0]).toEqual(got.tokens[2]);
    decoder.destroy();
  });

  describe('demo model', () => {
    const dir = DEMO_MODEL;
    const rawConfig = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    const config = parseLlamaConfig(rawConfig);
    let ctx: GpuContext;
    let weights: ModelWeights;
    beforeAll(async () => {
      ctx = await testGpu();
      const reader = await openSafetensors(rawConfig, [(await nodeFolder(dir).open('model.safetensors'))!]);
      weights = await buildWeights(ctx, config, reader, 'f32');
      await reader.close?.();
    });

    it('greedy continuations of definition prompts, token for token', async () => {
      const tok = await tokenizerFromJson(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')));
      const prompts = ['Define "hinge":', 'Define "turbulent flow":', 'A dog is a kind of'].map((p) => tok.encode(p));
      const n = 16;
      const decoder = new KvDecoder(ctx, config, weights, { maxBatch: prompts.length, maxLen: Math.max(...prompts.map((p) => p.length)) + n, maxChunk: 16 });
      const got = await generateIds(decoder, prompts, { ...GREEDY, maxNewTokens: n });
      for (let b = 0; b < prompts.length; b++) {
        expect(got.tokens[b], tok.decode(got.tokens[b])).toEqual(await greedyRecompute(ctx, config, weights, prompts[b], n));
      }
      decoder.destroy();
    });

    it('fixed-seed sampling is reproducible; another seed samples differently', async () => {
      const tok = await tokenizerFromJson(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')));
      const prompt = tok.encode('Define "offing":');
      const decoder = new KvDecoder(ctx, config, weights, { maxBatch: 4, maxLen: prompt.length + 12, maxChunk: 16 });
      const o: GenerateOptions = { maxNewTokens: 12, temperature: 1, topK: 50, topP: 0.95, seed: 42, stopTokens: [tok.eosId!] };
      const batch = [prompt, prompt, prompt, prompt];
      const a = await generateIds(decoder, batch, o);
      const b = await generateIds(decoder, batch, o);
      const c = await generateIds(decoder, batch, { ...o, seed: 43 });
      expect(b.tokens).toEqual(a.tokens);
      expect(new Set(a.tokens.map((t) => t.join(','))).size, 'the four samples differ').toBeGreaterThan(1);
      expect(c.tokens).not.toEqual(a.tokens);
      for (const t of a.tokens) {
        const stopAt = t.indexOf(tok.eosId!);
        expect(stopAt === -1 || stopAt === t.length - 1).toBe(true);
      }
      decoder.destroy();
    });
  });
});
