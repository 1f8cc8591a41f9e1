// Tuning modes' guarantees, on a tiny random Llama:
// - LoRA with B = 0 reproduces the base model's outputs exactly (bit for bit);
// - sparse (SensZOQ) training over a q4 base leaves every non-trainable weight bit-identical,
//   moves only the chosen entries, and with values = base entries reproduces the q4 model;
// - sensitivity selection takes exactly the top fraction.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu';
import { memoryReader, tinyLlama } from '../fixtures/tinyModel';
import { buildWeights } from '../../src/engine/model/weights';
import { LlamaForward, type ForwardInput } from '../../src/engine/model/llama';
import { loraTrainable } from '../../src/engine/training/loraMode';
import { fullTrainable } from '../../src/engine/training/fullMode';
import { parseLayerList, parseProjectionList, parseTargets } from '../../src/engine/training/trainable';
import { sparseTrainable } from '../../src/engine/training/sparseMode';
import { topK } from '../../src/engine/training/sensitivity';
import { ZoTrainer } from '../../src/engine/training/trainer';
import { ZO_DEFAULTS } from '../../src/engine/defs/zoConfig';
import type { EncodedExample } from '../../src/engine/training/batches';
import type { GpuContext } from '../../src/engine/gpu/context';

const INPUT: ForwardInput = {
  ids: Uint32Array.from([1, 5, 9, 22, 40, 7, 3, 1, 8, 8, 30, 31, 2, 0]),
  batch: 2, seqLen: 7,
  positions: Uint32Array.from([5, 6, 11, 12]),
  targets: Uint32Array.from([10, 11, 12, 13, 14, 15, 16, 17]), candidates: 2,
};
const LIMITS = { maxBatch: 4, maxSeqLen: 8, maxPositions: 4, maxCandidates: 2 };

const examples: EncodedExample[] = Array.from({ length: 8 }, (_, i) => ({
  kind: 'classification', enc: { promptIds: [1, 4 + i, 9, 20 + i], candidates: [[10], [11]], label: i % 2, fallbacks: [] },
}));

async function allWeights(ctx: GpuContext, w: Awaited<ReturnType<typeof buildWeights>>): Promise<Map<string, Uint32Array>> {
  const out = new Map<string, Uint32Array>();
  for (const [name, t] of w.names) {
    const buffers = 'data' in t ? [t.data, ...(t.scales ? [t.scales] : [])] : [t];
    for (const [i, b] of buffers.entries()) out.set(`${name}#${i}`, await ctx.readU32(b));
  }
  return out;
}

describe('tuning modes', () => {
  it('LoRA with B = 0 gives exactly the base model outputs (f32 and q4 bases)', async () => {
    const ctx = await testGpu();
    const m = tinyLlama();
    for (const format of ['f32', 'q4'] as const) {
      const w = await buildWeights(ctx, m.config, memoryReader(m), format);
      const base = await new LlamaForward(ctx, m.config, w, LIMITS).logprobs(INPUT);
      const lora = loraTrainable(ctx, w, { rank: 4, alpha: 8, targets: ['q', 'v', 'down'], seed: 3 });
      const withLora = await new LlamaForward(ctx, m.config, w, LIMITS, lora.hooks).logprobs(INPUT);
      expect(Array.from(withLora)).toEqual(Array.from(base));
      // and A is not zero: the adapter is live, only B starts at 0
      const a = await ctx.readF32(lora.adapters[0].a);
      expect(a.some((v) => v !== 0)).toBe(true);
    }
  });

  it('sparse training over q4 touches only the chosen entries; the frozen base is bit-identical', async () => {
    const ctx = await testGpu();
    const m = tinyLlama({ seed: 4 });
    const reader = memoryReader(m);
    const w = await buildWeights(ctx, m.config, reader, 'q4');
    const set = await sparseTrainable(ctx, w, reader, { fraction: 0.01, score: 'magnitude', seed: 1 });
    const totalLinear = set.matrices.reduce((n, x) => n + x.rows * x.cols, 0);
    expect(set.parameters).toBe(set.matrices.reduce((n, x) => n + Math.max(1, Math.round(0.01 * x.rows * x.cols)), 0));
    expect(set.parameters / totalLinear).toBeCloseTo(0.01, 3);

    const before = await allWeights(ctx, w);
    const valuesBefore = await Promise.all(set.matrices.map((x) => ctx.readF32(x.values, x.indices.length)));
    const forward = new LlamaForward(ctx, m.config, w, LIMITS, set.hooks);
    const trainer = new ZoTrainer({
      ctx, forward, trainable: set, hyper: { ...ZO_DEFAULTS, lr: 1e-2, eps: 1e-3, steps: 4, seed: 2 },
      objective: 'classification', train: examples, batchSize: 4, padId: 0,
    });
    for (let s = 0; s < 4; s++) await trainer.advance();
    await trainer.drain();
    const after = await allWeights(ctx, w);
    for (const [name, bits] of before) expect(Array.from(after.get(name)!), name).toEqual(Array.from(bits));
    const valuesAfter = await Promise.all(set.matrices.map((x) => ctx.readF32(x.values, x.indices.length)));
    expect(valuesAfter.some((v, i) => v.some((x, j) => x !== valuesBefore[i][j])), 'trainable values moved').toBe(true);
  });

  it('sparse values equal to the base entries reproduce the plain q4 model', async () => {
    const ctx = await testGpu();
    const m = tinyLlama({ seed: 6 });
    const reader = memoryReader(m);
    const w = await buildWeights(ctx, m.config, reader, 'q4');
    const plain = await new LlamaForward(ctx, m.config, w, LIMITS).logprobs(INPUT);
    const set = await sparseTrainable(ctx, w, reader, { fraction: 0.02, score: 'random', seed: 9 });
    for (const x of set.matrices) ctx.upload(x.values, await ctx.readF32(x.base));
    const corrected = await new LlamaForward(ctx, m.config, w, LIMITS, set.hooks).logprobs(INPUT);
    expect(Array.from(corrected)).toEqual(Array.from(plain));
    // while starting from the original f32 values moves the outputs toward the f32 model
    const fresh = await sparseTrainable(ctx, w, reader, { fraction: 0.02, score: 'random', seed: 9 });
    const start = await new LlamaForward(ctx, m.config, w, LIMITS, fresh.hooks).logprobs(INPUT);
    expect(Array.from(start)).not.toEqual(Array.from(plain));
  });

  it('topK picks exactly k entries, the largest, ties broken by index', () => {
    const scores = Float32Array.from([0.5, 3, 1, 3, 2, 0, 3]);
    expect(Array.from(topK(scores, 3))).toEqual([1, 3, 6]);
    expect(Array.from(topK(scores, 4))).toEqual([1, 3, 4, 6]);
    expect(Array.from(topK(scores, 0))).toEqual([]);
  });

  it('full mode on a subset (layer 1, q and v) trains exactly those tensors', async () => {
    const ctx = await testGpu();
    const m = tinyLlama({ seed: 13 });
    const w = await buildWeights(ctx, m.config, memoryReader(m), 'f32');
    const set = fullTrainable(w, { layers: parseLayerList('1'), projections: parseTargets(['q', 'v_proj']) });
    expect(set.ranges.map((r) => r.name)).toEqual(['model.layers.1.self_attn.q_proj.weight', 'model.layers.1.self_attn.v_proj.weight']);
    const before = await allWeights(ctx, w);
    const forward = new LlamaForward(ctx, m.config, w, LIMITS);
    const trainer = new ZoTrainer({
      ctx, forward, trainable: set, hyper: { ...ZO_DEFAULTS, lr: 1e-2, eps: 1e-3, steps: 3, seed: 4 },
      objective: 'classification', train: examples, batchSize: 4, padId: 0,
    });
    for (let s = 0; s < 3; s++) await trainer.advance();
    await trainer.drain();
    const after = await allWeights(ctx, w);
    const trained = new Set(set.ranges.map((r) => `${r.name}#0`));
    for (const [name, bits] of before) {
      if (trained.has(name)) expect(Array.from(after.get(name)!), name).not.toEqual(Array.from(bits));
      else expect(Array.from(after.get(name)!), name).toEqual(Array.from(bits));
    }
    expect(() => fullTrainable(w, { layers: [7] })).toThrow(/layers 0\.\.1/);
  });

  it('layer and projection lists parse, and refuse what does not exist', () => {
    expect(parseLayerList('0, 2-4,3')).toEqual([0, 2, 3, 4]);
    expect(parseLayerList('all')).toEqual([]);
    expect(parseLayerList('')).toEqual([]);
    expect(() => parseLayerList('2-1')).toThrow(/backwards/);
    expect(() => parseLayerList('q')).toThrow(/indices and ranges/);
    expect(parseProjectionList(' q, v_proj ')).toEqual(['q', 'v_proj']);
    expect(parseProjectionList('all')).toEqual([]);
    expect(() => parseProjectionList('q,attn')).toThrow(/unknown projection "attn"/);
  });
});
