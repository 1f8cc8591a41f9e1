// The logit gap F32 -> Q4_K_M, run as the file stores it against the old requantized path
// (README "K-quants and BF16"). Random tiny Llamas (hidden 256, intermediate 512, 2 layers,
// vocab 128; tinyLlama wide), written by the fixture writer as F32 and as Q4_K_M laid out as
// llama-quantize lays it out (attn_v and ffn_down Q6_K on use_more_bits layers, output Q6_K,
// the rest Q4_K), with the fixture's spec quantizer (tests/fixtures/ggufKQuants.ts: a plain
// min/max fit, not llama.cpp's search, which llama.cpp is not here to run), and as pure Q4_0
// with a Q6_K output (what llama-quantize writes for Q4_0). Logits at all 32 positions of 4
// sequences; gap = RMS of (logits - F32 logits) over RMS of the F32 logits, and the largest
// |difference|. "requantized" is the same file read without its blocks (the builder then
// decodes and quantizes to the engine's group-32 q4, as every release before this did).
import { describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu';
import { GGML, llamaGguf } from '../fixtures/ggufWriter';
import { tinyLlama } from '../fixtures/tinyLlama';
import { bytesSource } from '../../src/engine/model/loaders/byteSource';
import { openGguf } from '../../src/engine/model/loaders/gguf/ggufLlama';
import { parseLlamaConfig } from '../../src/engine/model/config';
import { buildWeights, releaseModelWeights } from '../../src/engine/model/weights';
import { LlamaForward, type ForwardInput } from '../../src/engine/model/llama';
import type { CheckpointReader } from '../../src/engine/model/loaders/types';
import type { WeightFormat } from '../../src/engine/gpu/tensor';
import { randomArray } from '../helpers/allclose';

const useMoreBits = (i: number, n: number) => i < n / 8 || i >= (7 * n) / 8 || (i - Math.floor(n / 8)) % 3 === 2;
const q4km = (name: string) => {
  const layer = /layers\.(\d+)\./.exec(name);
  if (/lm_head/.test(name)) return GGML.Q6_K;
  if (layer && /v_proj|down_proj/.test(name) && useMoreBits(Number(layer[1]), 2)) return GGML.Q6_K;
  return GGML.Q4_K;
};
const q4_0 = (name: string) => (/lm_head/.test(name) ? GGML.Q6_K : GGML.Q4_0);

const [B, T] = [4, 32];

function input(seed: number): ForwardInput {
  const ids = Uint32Array.from(randomArray(B * T, seed), (v) => Math.floor((v + 1) * 64) % 128);
  return { ids, batch: B, seqLen: T, positions: Uint32Array.from({ length: B * T }, (_, i) => i), targets: new Uint32Array(B * T), candidates: 1 };
}

const withoutBlocks = (r: CheckpointReader): CheckpointReader => ({ config: r.config, tensors: r.tensors, readF32: (n) => r.readF32(n), readQuantized: r.readQuantized?.bind(r) });

function gap(got: Float32Array, ref: Float32Array): { rel: number; max: number } {
  let d2 = 0, r2 = 0, max = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = got[i] - ref[i];
    d2 += d * d;
    r2 += ref[i] * ref[i];
    max = Math.max(max, Math.abs(d));
  }
  return { rel: Math.sqrt(d2 / r2), max };
}

describe('logit gap F32 -> Q4_K_M', () => {
  it('as stored vs requantized to group-32 q4, 3 random models', async () => {
    const ctx = await testGpu();
    const lines: string[] = [];
    for (const seed of [11, 12, 13]) {
      const model = tinyLlama(seed, { wide: true });
      const open = async (type: number, typeOf?: (n: string) => number) => openGguf(bytesSource('m.gguf', llamaGguf(model, type, { typeOf }).bytes));
      const f32 = await open(GGML.F32);
      const config = parseLlamaConfig(f32.config);
      const limits = { maxBatch: B, maxSeqLen: T, maxPositions: B * T, maxCandidates: 1 };
      const logits = async (reader: CheckpointReader, precision: WeightFormat) => {
        const w = await buildWeights(ctx, config, reader, precision);
        const out = await new LlamaForward(ctx, config, w, limits).logits(input(seed));
        releaseModelWeights(ctx, w);
        return out;
      };
      const ref = await logits(f32, 'f32');
      const km = await open(GGML.F32, q4km);
      const q40 = await open(GGML.F32, q4_0);
      const native = gap(await logits(km, 'q4'), ref);
      const dequantized = gap(await logits(km, 'f32'), ref);
      const requant = gap(await logits(withoutBlocks(km), 'q4'), ref);
      const q40native = gap(await logits(q40, 'q4'), ref);
      const q40requant = gap(await logits(withoutBlocks(q40), 'q4'), ref);
      lines.push(`seed ${seed}: logit RMS ${Math.sqrt(ref.reduce((a, v) => a + v * v, 0) / ref.length).toFixed(3)}; ` +
        `Q4_K_M as stored ${native.rel.toFixed(4)} (max ${native.max.toFixed(3)}), dequantized to f32 ${dequantized.rel.toFixed(4)}, requantized to q4 ${requant.rel.toFixed(4)} (max ${requant.max.toFixed(3)}) = +${(requant.rel / native.rel - 1).toFixed(2)}; ` +
        `Q4_0 + Q6_K output as stored ${q40native.rel.toFixed(4)}, requantized ${q40requant.rel.toFixed(4)} = +${(q40requant.rel / q40native.rel - 1).toFixed(2)}`);
      expect(Math.abs(dequantized.rel - native.rel)).toBeLessThan(1e-3 * native.rel + 1e-6);
      expect(requant.rel).toBeGreaterThan(native.rel);
    }
    console.log(lines.join('\n'));
  });
});
