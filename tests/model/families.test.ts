// Each model family ZO Studio runs, as a tiny random-weight checkpoint with the family's config
// (tests/fixtures/families/<family>/), loaded from its bf16 safetensors and from an F32 GGUF
// written as llama.cpp's convert_hf_to_gguf.py writes one (q/k permuted, Llama 3 scaling as a
// rope_freqs tensor, linear scaling as metadata), against golden logits from an independent
// PyTorch forward with Hugging Face semantics (scripts/fixtures/family_goldens.py).
// Tolerance: max |logit - golden| <= 1e-4 x max |golden| over the scored positions (f32; both
// sides round differently; measured gaps are 3e-7 to 6e-7). Families outside the Llama graph are refused
// by name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu';
import { parseLlamaConfig } from '../../src/engine/model/config';
import { bytesSource } from '../../src/engine/model/loaders/byteSource';
import { SUPPORTED_ARCHITECTURES, UnsupportedArchitectureError } from '../../src/engine/model/loaders/errors';
import { openGguf } from '../../src/engine/model/loaders/gguf/ggufLlama';
import { nodeFolder } from '../../src/engine/model/loaders/nodeFileSource';
import { openSafetensors } from '../../src/engine/model/loaders/safetensors';
import type { CheckpointReader } from '../../src/engine/model/loaders/types';
import { buildWeights, releaseModelWeights } from '../../src/engine/model/weights';
import { LlamaForward } from '../../src/engine/model/llama';
import { KvDecoder } from '../../src/engine/generation/kvDecoder';
import type { GpuContext } from '../../src/engine/gpu/context';
import { GGML, encodeGguf, llamaGguf } from '../fixtures/ggufWriter';
import type { TinyModel } from '../fixtures/tinyLlama';

const TOLERANCE = 1e-4;
const ROOT = join(__dirname, '..', 'fixtures', 'families');
const FAMILIES = ['llama3', 'llama2', 'llama2_linear', 'smollm2', 'tinyllama', 'mistral'] as const;

interface Golden {
  input_ids: number[];
  positions: number[];
  logits: number[][];
  gguf_rope_freqs?: number[];
  relative_gap_without_rope_scaling?: number;
}

const read = (family: string, file: string) => JSON.parse(readFileSync(join(ROOT, family, file), 'utf8'));

async function openFamilySafetensors(family: string): Promise<{ config: Record<string, unknown>; reader: CheckpointReader }> {
  const config = read(family, 'config.json') as Record<string, unknown>;
  const source = await nodeFolder(join(ROOT, family)).open('model.safetensors');
  return { config, reader: await openSafetensors(config, [source!]) };
}

/** The family's checkpoint as convert_hf_to_gguf.py --outtype f32 would write it. */
async function familyGguf(family: string, golden: Golden, withRopeFreqs = true): Promise<Uint8Array> {
  const { config, reader } = await openFamilySafetensors(family);
  const model: TinyModel = { config, tensors: [] };
  for (const [name, info] of reader.tensors) model.tensors.push({ name, shape: info.shape, data: await reader.readF32(name) });
  await reader.close?.();
  const ropeFreqs = withRopeFreqs && golden.gguf_rope_freqs ? Float32Array.from(golden.gguf_rope_freqs) : undefined;
  return llamaGguf(model, GGML.F32, { ropeFreqs }).bytes;
}

/** Logits [positions, vocab] of the golden input from a checkpoint reader. */
async function logitsOf(ctx: GpuContext, reader: CheckpointReader, golden: Golden): Promise<Float32Array> {
  const config = parseLlamaConfig(reader.config);
  const weights = await buildWeights(ctx, config, reader, 'f32');
  await reader.close?.();
  const S = golden.input_ids.length;
  const P = golden.positions.length;
  const forward = new LlamaForward(ctx, config, weights, { maxBatch: 1, maxSeqLen: S, maxPositions: P, maxCandidates: 1 });
  const logits = await forward.logits({
    ids: Uint32Array.from(golden.input_ids), batch: 1, seqLen: S,
    positions: Uint32Array.from(golden.positions), targets: new Uint32Array(P), candidates: 1,
  });
  releaseModelWeights(ctx, weights);
  return logits;
}

/** max |got - golden| / max |golden|. */
function relativeGap(got: Float32Array, golden: Golden): number {
  const want = golden.logits.flat();
  expect(got.length).toBe(want.length);
  let gap = 0;
  let scale = 0;
  want.forEach((v, i) => {
    gap = Math.max(gap, Math.abs(got[i] - v));
    scale = Math.max(scale, Math.abs(v));
  });
  return gap / scale;
}

describe.each(FAMILIES)('%s tiny checkpoint vs the PyTorch golden', (family) => {
  const golden = read(family, 'golden.json') as Golden;
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await testGpu();
  });

  it('from safetensors (bf16)', async () => {
    const { reader } = await openFamilySafetensors(family);
    expect(relativeGap(await logitsOf(ctx, reader, golden), golden)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('from a GGUF as llama.cpp converts it (F32)', async () => {
    const reader = await openGguf(bytesSource(`${family}.gguf`, await familyGguf(family, golden)));
    expect(relativeGap(await logitsOf(ctx, reader, golden), golden)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('what the family fixtures guard', () => {
  it('Llama 3: rope scaling moves the logits far beyond the tolerance, so dropping rope_freqs fails', async () => {
    const ctx = await testGpu();
    const golden = read('llama3', 'golden.json') as Golden;
    expect(golden.gguf_rope_freqs).toHaveLength(8);
    const reader = await openGguf(bytesSource('llama3-no-rope-freqs.gguf', await familyGguf('llama3', golden, false)));
    expect(relativeGap(await logitsOf(ctx, reader, golden), golden)).toBeGreaterThan(100 * TOLERANCE);
  });

  it('Llama 3 GGUF through the KV cache (chunked prefill, rope at position offsets) matches the golden last position', async () => {
    const ctx = await testGpu();
    const golden = read('llama3', 'golden.json') as Golden;
    const reader = await openGguf(bytesSource('llama3.gguf', await familyGguf('llama3', golden)));
    const config = parseLlamaConfig(reader.config);
    const weights = await buildWeights(ctx, config, reader, 'f32');
    const S = golden.input_ids.length;
    const decoder = new KvDecoder(ctx, config, weights, { maxBatch: 1, maxLen: S, maxChunk: 80 });
    let logits: Float32Array = new Float32Array();
    for (let pos = 0; pos < S; pos += 80) {
      const chunk = Uint32Array.from(golden.input_ids.slice(pos, pos + 80));
      logits = await decoder.step(chunk, 1, chunk.length, pos);
    }
    decoder.destroy();
    releaseModelWeights(ctx, weights);
    const last = { ...golden, logits: [golden.logits[golden.positions.indexOf(S - 1)]] };
    expect(relativeGap(logits, last)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('Mistral: a sequence longer than sliding_window is refused, for training and for generation', async () => {
    const ctx = await testGpu();
    const { config, reader } = await openFamilySafetensors('mistral');
    const c = parseLlamaConfig(config);
    expect(c.slidingWindow).toBe(48);
    const weights = await buildWeights(ctx, c, reader, 'f32');
    await reader.close?.();
    expect(() => new LlamaForward(ctx, c, weights, { maxBatch: 1, maxSeqLen: 49, maxPositions: 1, maxCandidates: 1 })).toThrow(/last 48 tokens.*sliding_window.*49/);
    expect(() => new KvDecoder(ctx, c, weights, { maxBatch: 1, maxLen: 49, maxChunk: 8 })).toThrow(/sliding_window/);
    releaseModelWeights(ctx, weights);
    // LlamaForCausalLM ignores sliding_window, as Hugging Face does.
    expect(parseLlamaConfig({ ...config, architectures: ['LlamaForCausalLM'], model_type: 'llama' }).slidingWindow).toBeNull();
  });

  it('Qwen2 (q/k/v biases) is refused by name, from config.json and from GGUF, listing what is supported', async () => {
    const qwen = { ...read('llama2', 'config.json'), architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2' };
    const list = new RegExp(`Qwen2ForCausalLM.*${SUPPORTED_ARCHITECTURES.join(', ')}`);
    expect(() => parseLlamaConfig(qwen)).toThrow(UnsupportedArchitectureError);
    expect(() => parseLlamaConfig(qwen)).toThrow(list);
    const gguf = encodeGguf([['general.architecture', 'str', 'qwen2']], []);
    await expect(openGguf(bytesSource('qwen2.gguf', gguf))).rejects.toThrow(/"qwen2".*LlamaForCausalLM, MistralForCausalLM/);
  });
});
