// A GGUF with Q4_K, Q5_K, Q6_K, BF16, Q4_1, Q5_0 and Q5_1 tensors (written by the fixture's own quantizers from
// the format spec, tests/fixtures/ggufKQuants.ts) runs as written: at q4/q8/f16 precision its
// quantized tensors stay in their blocks on the GPU (BF16 at f16), and the forward pass
// matches the CPU reference forward on the fixture's dequantized f32 weights. Tolerance:
// log-probabilities within 2e-5 + 1e-5 relative (f32 summation order only: a tensor requantized
// to group-32 q4 is off by ~1e-2 here, and one wrong super-block by more). Sparse (SensZOQ)
// and LoRA runs over such a base train for a few steps and never write it.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu';
import { expectAllclose } from '../helpers/allclose';
import { GGML, llamaGguf } from '../fixtures/ggufWriter';
import { tinyLlama } from '../fixtures/tinyLlama';
import { bytesSource } from '../../src/engine/model/loaders/byteSource';
import { openGguf } from '../../src/engine/model/loaders/gguf/ggufLlama';
import { parseLlamaConfig } from '../../src/engine/model/config';
import { buildWeights, releaseModelWeights, type ModelWeights } from '../../src/engine/model/weights';
import { LlamaForward, type ForwardInput } from '../../src/engine/model/llama';
import { llamaLogprobsRef } from '../../src/engine/model/llamaCpu';
import { dequantize, quantize } from '../../src/engine/defs/quantFormat';
import { sparseTrainable } from '../../src/engine/training/sparseMode';
import { loraTrainable } from '../../src/engine/training/loraMode';
import { ZoTrainer } from '../../src/engine/training/trainer';
import { ZO_DEFAULTS } from '../../src/engine/defs/zoConfig';
import type { EncodedExample } from '../../src/engine/training/batches';
import type { GpuContext } from '../../src/engine/gpu/context';
import type { TrainableSet } from '../../src/engine/training/trainable';

const TOL = { atol: 2e-5, rtol: 1e-5 };
const VOCAB = 128;

/** Every type on some tensor, as llama-quantize mixes them in its _M files. */
const MIXED: [RegExp, number][] = [
  [/embed_tokens/, GGML.Q4_K], [/q_proj/, GGML.Q5_K], [/k_proj/, GGML.Q5_0], [/v_proj/, GGML.Q6_K], [/o_proj/, GGML.BF16],
  [/gate_proj/, GGML.Q4_1], [/up_proj/, GGML.Q5_1], [/down_proj/, GGML.Q6_K], [/lm_head/, GGML.Q6_K],
];
const typeOf = (name: string) => MIXED.find(([re]) => re.test(name))![1];
const FORMAT_OF: Record<number, string> = {
  [GGML.Q4_K]: 'q4k', [GGML.Q5_K]: 'q5k', [GGML.Q6_K]: 'q6k', [GGML.BF16]: 'bf16', [GGML.Q4_1]: 'q4_1', [GGML.Q5_0]: 'q5_0', [GGML.Q5_1]: 'q5_1',
};

/** Two sequences, every vocabulary entry a candidate at 4 positions: the full log-softmax there. */
const INPUT: ForwardInput = {
  ids: Uint32Array.from([1, 5, 9, 22, 40, 7, 3, 1, 8, 8, 30, 31, 2, 0]),
  batch: 2, seqLen: 7,
  positions: Uint32Array.from([2, 6, 9, 12]),
  targets: Uint32Array.from({ length: 4 * VOCAB }, (_, i) => i % VOCAB), candidates: VOCAB,
};
const LIMITS = { maxBatch: 4, maxSeqLen: 8, maxPositions: 4, maxCandidates: VOCAB };

async function openMixed(seed: number, tied: boolean, types: (name: string) => number = typeOf) {
  const model = tinyLlama(seed, { wide: true, tied });
  const g = llamaGguf(model, GGML.F32, { typeOf: types });
  const reader = await openGguf(bytesSource('mixed.gguf', g.bytes));
  return { reader, config: parseLlamaConfig(reader.config), expected: g.expected };
}

function formats(w: ModelWeights): Map<string, string> {
  return new Map([...w.names].filter(([, t]) => 'format' in t).map(([n, t]) => [n, (t as { format: string }).format]));
}

describe('GGUF block formats run as written', () => {
  for (const tied of [false, true]) {
    it(`mixed Q4_K/Q5_K/Q6_K/BF16/Q4_1/Q5_0/Q5_1 file${tied ? ' (tied embedding)' : ''}: forward equals the CPU reference on the file's dequantized weights`, async () => {
      const ctx = await testGpu();
      const { reader, config, expected } = await openMixed(3, tied, tied ? (n) => (/embed/.test(n) ? GGML.Q6_K : typeOf(n)) : typeOf);
      for (const precision of ['q4', 'f16'] as const) {
        const w = await buildWeights(ctx, config, reader, precision);
        const effective = new Map(expected);
        for (const [name, format] of formats(w)) {
          const stored = reader.tensors.get(name)!.dtype;
          // K-quants stay as stored, BF16 only at f16 (f32 dequantizes everything: gpuFormat.ts).
          const kept = stored !== 'BF16' || precision === 'f16' ? FORMAT_OF[GGML[stored as keyof typeof GGML]] : undefined;
          expect(format, `${precision} ${name} (${stored})`).toBe(kept ?? precision);
          // A BF16 tensor at q4 is quantized as asked: the reference multiplies by what q4 holds.
          if (!kept && precision === 'q4') {
            const [rows, cols] = reader.tensors.get(name)!.shape;
            effective.set(name, dequantize(quantize('q4', expected.get(name)!, rows, cols)));
          }
        }
        const want = llamaLogprobsRef(config, effective, INPUT, VOCAB);
        const got = await new LlamaForward(ctx, config, w, LIMITS).logprobs(INPUT);
        expectAllclose(got, want, TOL, `${precision} log-probabilities`);
        releaseModelWeights(ctx, w);
      }
    });
  }

  const examples: EncodedExample[] = Array.from({ length: 8 }, (_, i) => ({
    kind: 'classification', enc: { promptIds: [1, 4 + i, 9, 20 + i], candidates: [[10], [11]], label: i % 2, fallbacks: [] },
  }));

  async function trainFew(ctx: GpuContext, config: ReturnType<typeof parseLlamaConfig>, w: ModelWeights, set: TrainableSet): Promise<number[]> {
    const forward = new LlamaForward(ctx, config, w, { ...LIMITS, maxCandidates: 2 }, set.hooks);
    const trainer = new ZoTrainer({
      ctx, forward, trainable: set, hyper: { ...ZO_DEFAULTS, lr: 1e-2, eps: 1e-3, steps: 3, seed: 2 },
      objective: 'classification', train: examples, batchSize: 4, padId: 0,
    });
    const losses: number[] = [];
    for (let s = 0; s < 3; s++) {
      const m = await trainer.advance();
      if (m) losses.push(m.loss);
    }
    losses.push((await trainer.drain())!.loss);
    trainer.destroy();
    return losses;
  }

  it('sparse (SensZOQ) and LoRA runs over a K-quant base: start at the base model, train, never write the base', async () => {
    const ctx = await testGpu();
    const { reader, config } = await openMixed(5, false);
    const w = await buildWeights(ctx, config, reader, 'q4');
    const base = await new LlamaForward(ctx, config, w, LIMITS).logprobs(INPUT);
    const bits = async () => Promise.all([...w.names.values()].map((t) => ctx.readU32('data' in t ? t.data : t)));
    const before = await bits();

    // The K-quant projections (o_proj is BF16, quantized to q4 at this precision).
    const sparse = await sparseTrainable(ctx, w, reader, { fraction: 0.01, score: 'magnitude', seed: 1, targets: ['q', 'k', 'v', 'gate', 'up', 'down'] });
    expect(sparse.describe()).toMatch(/over a q4_1 \+ q5_0 \+ q5_1 \+ q5k \+ q6k base/);
    // The trainable entries start at the file's own values, so the hooks add exactly zero.
    expect(Array.from(await new LlamaForward(ctx, config, w, LIMITS, sparse.hooks).logprobs(INPUT))).toEqual(Array.from(base));
    const valuesBefore = await Promise.all(sparse.matrices.map((m) => ctx.readF32(m.values, m.indices.length)));
    const sparseLosses = await trainFew(ctx, config, w, sparse);
    const valuesAfter = await Promise.all(sparse.matrices.map((m) => ctx.readF32(m.values, m.indices.length)));
    expect(valuesAfter.some((v, i) => v.some((x, j) => x !== valuesBefore[i][j])), 'sparse values moved').toBe(true);

    const lora = loraTrainable(ctx, w, { rank: 4, alpha: 8, targets: ['q', 'v', 'o', 'down'], seed: 3 });
    expect(Array.from(await new LlamaForward(ctx, config, w, LIMITS, lora.hooks).logprobs(INPUT))).toEqual(Array.from(base));
    const bBefore = await ctx.readF32(lora.adapters[0].b);
    const loraLosses = await trainFew(ctx, config, w, lora);
    expect(Array.from(await ctx.readF32(lora.adapters[0].b))).not.toEqual(Array.from(bBefore));

    for (const l of [...sparseLosses, ...loraLosses]) expect(Number.isFinite(l)).toBe(true);
    const after = await bits();
    after.forEach((b, i) => expect(Array.from(b), `base tensor ${i}`).toEqual(Array.from(before[i])));
    sparse.release?.();
    lora.release?.();
    releaseModelWeights(ctx, w);
  });
});
