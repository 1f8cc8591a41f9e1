// Each model family ZO Studio runs, as a tiny random-weight checkpoint with the family's config
// (tests/fixtures/families/<family>/), loaded from its bf16 safetensors and from an F32 GGUF
// written as llama.cpp's convert_hf_to_gguf.py writes one (q/k permuted, Llama 3 scaling as a
// rope_freqs tensor, linear scaling as metadata), against golden logits from an independent
// PyTorch forward with Hugging Face semantics (scripts/fixtures/family_goldens.py).
// Tolerance: max |logit - golden| <= 1e-4 x max |golden| over the scored positions (f32; both
// sides round differently; measured gaps are 3e-7 to 6e-7). Qwen2 is the Llama graph plus q/k/v
// biases; Mistral's (and Qwen2's optional) sliding window is computed; other architectures are
// refused by name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu';
import { layerWindow, parameterCount, parseLlamaConfig, type LlamaConfig } from '../../src/engine/model/config';
import { fullTrainable } from '../../src/engine/training/fullMode';
import { checkCheckpointTensors } from '../../src/engine/model/checkpointTensors';
import { bytesSource } from '../../src/engine/model/loaders/byteSource';
import { SUPPORTED_ARCHITECTURES, UnsupportedArchitectureError } from '../../src/engine/model/loaders/errors';
import { openGguf } from '../../src/engine/model/loaders/gguf/ggufLlama';
import { nodeFolder } from '../../src/engine/model/loaders/nodeFileSource';
import { openSafetensors } from '../../src/engine/model/loaders/safetensors';
import type { CheckpointReader } from '../../src/engine/model/loaders/types';
import { buildWeights, releaseModelWeights, type ModelWeights } from '../../src/engine/model/weights';
import { LlamaForward } from '../../src/engine/model/llama';
import { KvDecoder } from '../../src/engine/generation/kvDecoder';
import { llamaLogprobsRef } from '../../src/engine/model/llamaCpu';
import type { GpuContext } from '../../src/engine/gpu/context';
import { GGML, encodeGguf, llamaGguf } from '../fixtures/ggufWriter';
import type { TinyModel } from '../fixtures/tinyLlama';

const TOLERANCE = 1e-4;
const ROOT = join(__dirname, '..', 'fixtures', 'families');
const FAMILIES = ['llama3', 'llama2', 'llama2_linear', 'smollm2', 'tinyllama', 'mistral', 'qwen2'] as const;

interface Golden {
  input_ids: number[];
  positions: number[];
  logits: number[][];
  gguf_rope_freqs?: number[];
  relative_gap_without_rope_scaling?: number;
  relative_gap_without_qkv_bias?: number;
  /** Mistral: what a GGUF of it gives (the file records no window; llama.cpp attends to every key). */
  logits_full_attention?: number[][];
  /** Qwen2: the logits with use_sliding_window true. */
  logits_use_sliding_window?: number[][];
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
  // The loader's own check: every tensor the model reads is there, and none goes unused.
  expect(checkCheckpointTensors(config, reader.tensors, 'checkpoint', 'config')).toEqual([]);
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

/** The last token's logits from the KV-cache decoder, the ids prefilled `chunk` at a time. */
async function lastLogitsByKvCache(ctx: GpuContext, config: LlamaConfig, weights: ModelWeights, ids: number[], chunk: number): Promise<Float32Array> {
  const decoder = new KvDecoder(ctx, config, weights, { maxBatch: 1, maxLen: ids.length, maxChunk: chunk });
  let logits: Float32Array = new Float32Array();
  for (let pos = 0; pos < ids.length; pos += chunk) {
    const part = Uint32Array.from(ids.slice(pos, pos + chunk));
    logits = await decoder.step(part, 1, part.length, pos);
  }
  decoder.destroy();
  return logits;
}

/** The golden reduced to its last position. */
const lastPosition = (g: Golden): Golden => ({ ...g, logits: [g.logits[g.positions.indexOf(g.input_ids.length - 1)]] });

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
    // A GGUF records no sliding window: Mistral v0.1 from GGUF attends to every key, as in llama.cpp.
    const want = golden.logits_full_attention ? { ...golden, logits: golden.logits_full_attention } : golden;
    expect(relativeGap(await logitsOf(ctx, reader, golden), want)).toBeLessThanOrEqual(TOLERANCE);
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
    const logits = await lastLogitsByKvCache(ctx, config, weights, golden.input_ids, 80);
    releaseModelWeights(ctx, weights);
    expect(relativeGap(logits, lastPosition(golden))).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each(['llama3', 'qwen2'])('the CPU reference forward (cpu/llama.ts) matches the %s golden from the GGUF', async (family) => {
    const golden = read(family, 'golden.json') as Golden;
    const reader = await openGguf(bytesSource(`${family}.gguf`, await familyGguf(family, golden)));
    const config = parseLlamaConfig(reader.config);
    const weights = new Map<string, Float32Array>();
    for (const name of reader.tensors.keys()) weights.set(name, await reader.readF32(name));
    // Score each position's top golden token: the log-probability the golden logits give it.
    const targets = golden.logits.map((row) => row.indexOf(Math.max(...row)));
    const got = llamaLogprobsRef(config, weights, {
      ids: Uint32Array.from(golden.input_ids), batch: 1, seqLen: golden.input_ids.length,
      positions: Uint32Array.from(golden.positions), targets: Uint32Array.from(targets), candidates: 1,
    }, 1);
    const scale = Math.max(...golden.logits.flat().map(Math.abs));
    golden.logits.forEach((row, p) => {
      const m = Math.max(...row);
      const want = row[targets[p]] - m - Math.log(row.reduce((sum, v) => sum + Math.exp(v - m), 0));
      expect(Math.abs(got[p] - want) / scale).toBeLessThanOrEqual(TOLERANCE);
    });
  });

  it('Mistral: sliding_window 16 over 48 tokens through the KV cache (chunked prefill) matches the golden; the window matters', async () => {
    const ctx = await testGpu();
    const golden = read('mistral', 'golden.json') as Golden;
    const { config, reader } = await openFamilySafetensors('mistral');
    const c = parseLlamaConfig(config);
    expect([c.slidingWindow, layerWindow(c, 0), layerWindow(c, 1)]).toEqual([16, 16, 16]);
    expect(relativeGap(Float32Array.from(golden.logits_full_attention!.flat()), golden)).toBeGreaterThan(100 * TOLERANCE);
    const weights = await buildWeights(ctx, c, reader, 'f32');
    await reader.close?.();
    const logits = await lastLogitsByKvCache(ctx, c, weights, golden.input_ids, 20);
    releaseModelWeights(ctx, weights);
    expect(relativeGap(logits, lastPosition(golden))).toBeLessThanOrEqual(TOLERANCE);
    // LlamaForCausalLM ignores sliding_window, as Hugging Face does.
    expect(parseLlamaConfig({ ...config, architectures: ['LlamaForCausalLM'], model_type: 'llama' }).slidingWindow).toBeNull();
  });

  it('Qwen2: the q/k/v biases load (from GGUF as attn_*.bias) and train; use_sliding_window windows the layers from max_window_layers on', async () => {
    const ctx = await testGpu();
    const golden = read('qwen2', 'golden.json') as Golden;
    expect(golden.relative_gap_without_qkv_bias).toBeGreaterThan(100 * TOLERANCE); // the biases matter
    const reader = await openGguf(bytesSource('qwen2.gguf', await familyGguf('qwen2', golden)));
    expect(reader.config).toMatchObject({ architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2' });
    expect(reader.tensors.get('model.layers.1.self_attn.k_proj.bias')?.shape).toEqual([32]);
    const config = read('qwen2', 'config.json');
    expect(parseLlamaConfig(config).slidingWindow).toBeNull(); // use_sliding_window false: full attention
    const windowedConfig = { ...config, use_sliding_window: true };
    const windowed = parseLlamaConfig(windowedConfig);
    expect([layerWindow(windowed, 0), layerWindow(windowed, 1)]).toEqual([0, 16]); // max_window_layers 1
    const source = await nodeFolder(join(ROOT, 'qwen2')).open('model.safetensors');
    const withWindow = { ...golden, logits: golden.logits_use_sliding_window! };
    expect(relativeGap(Float32Array.from(golden.logits.flat()), withWindow)).toBeGreaterThan(100 * TOLERANCE);
    expect(relativeGap(await logitsOf(ctx, await openSafetensors(windowedConfig, [source!]), golden), withWindow)).toBeLessThanOrEqual(TOLERANCE);
    // Full-parameter tuning covers the biases too: every parameter HF counts, once.
    const { reader: st } = await openFamilySafetensors('qwen2');
    const weights = await buildWeights(ctx, windowed, st, 'f32');
    await st.close?.();
    const full = fullTrainable(weights);
    expect(full.ranges.map((r) => r.name)).toContain('model.layers.1.self_attn.v_proj.bias');
    expect(full.parameters).toBe(parameterCount(windowed));
    releaseModelWeights(ctx, weights);
  });

  it('other architectures are refused by name, from config.json and from GGUF, listing what is supported', async () => {
    const gemma = { ...read('llama2', 'config.json'), architectures: ['Gemma2ForCausalLM'], model_type: 'gemma2' };
    const list = new RegExp(`Gemma2ForCausalLM.*${SUPPORTED_ARCHITECTURES.join(', ')}`);
    expect(() => parseLlamaConfig(gemma)).toThrow(UnsupportedArchitectureError);
    expect(() => parseLlamaConfig(gemma)).toThrow(list);
    const gguf = encodeGguf([['general.architecture', 'str', 'gemma2']], []);
    await expect(openGguf(bytesSource('gemma2.gguf', gguf))).rejects.toThrow(/"gemma2".*LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM/);
  });
});
